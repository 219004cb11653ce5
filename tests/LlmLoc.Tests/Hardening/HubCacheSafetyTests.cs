namespace LlmLoc.Tests.Hardening;

/// <summary>Issue 12, class 7: the hub cache may be shared, so planted links never redirect a write outside it, a
/// download never outgrows its announced size, a dangling snapshot link is repaired, and credentials never print.</summary>
public sealed class HubCacheSafetyTests : IDisposable
{
    readonly HubTestKit kit = new();
    public void Dispose() => kit.Dispose();

    string Outside(string name, string content = "precious")
    {
        string path = Path.Combine(kit.Temp.Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task PlantedLinksAreReplacedNotWrittenThrough()
    {
        string repo = kit.RepoFolder("acme/tiny");
        var model = HubTestKit.TinyFiles()["model.safetensors"];
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        string refTarget = Outside("ref-target"), partialTarget = Outside("partial-target");
        File.CreateSymbolicLink(Path.Combine(repo, "refs", "main"), refTarget);
        File.CreateSymbolicLink(Path.Combine(repo, "blobs", model.Etag + ".incomplete"), partialTarget);

        string snapshot = await kit.Resolve("acme/tiny");

        Assert.Equal("precious", File.ReadAllText(refTarget));
        Assert.Equal("precious", File.ReadAllText(partialTarget));
        Assert.Null(new FileInfo(Path.Combine(repo, "refs", "main")).LinkTarget);
        Assert.Equal(HubTestKit.Commit1, File.ReadAllText(Path.Combine(repo, "refs", "main")));
        Assert.Equal(model.Content, File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
    }

    [Fact]
    public async Task AFolderLinkedOutsideTheCacheIsRefusedButALinkedRootWorks()
    {
        // The root itself a link (clusters do this): fine, the cache is its real path.
        string realRoot = Path.Combine(kit.Temp.Path, "real-hub");
        Directory.CreateDirectory(realRoot);
        Directory.CreateSymbolicLink(kit.CacheDir, realRoot);
        Assert.True(File.Exists(Path.Combine(await kit.Resolve("acme/tiny"), "config.json")));

        // A snapshots folder leading elsewhere: refused with one line, nothing written there.
        string elsewhere = Path.Combine(kit.Temp.Path, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        string repo = kit.RepoFolder("gpt2");
        Directory.CreateDirectory(repo);
        Directory.CreateSymbolicLink(Path.Combine(repo, "snapshots"), elsewhere);
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("gpt2"));
        Assert.Contains("leads outside the cache", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public async Task ADanglingSnapshotLinkIsRepairedByDownloadingAgain()
    {
        string snapshot = await kit.Resolve("acme/tiny");
        var model = HubTestKit.TinyFiles()["model.safetensors"];
        File.Delete(Path.Combine(kit.RepoFolder("acme/tiny"), "blobs", model.Etag));

        Assert.Equal(snapshot, await kit.Resolve("acme/tiny"));
        Assert.Equal(model.Content, File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
    }

    [Fact]
    public async Task ADownloadNeverWritesMoreThanTheAnnouncedSize()
    {
        var model = HubTestKit.TinyFiles()["model.safetensors"];
        kit.Server.AnnouncedSize[model.Sha256] = 1000;
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/tiny"));
        Assert.Contains("more than the 1000 bytes it announced", e.Message);
        Assert.Empty(Directory.GetFiles(kit.RepoFolder("acme/tiny"), "*.incomplete", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(kit.RepoFolder("acme/tiny"), "blobs", model.Etag)));
    }

    [Fact]
    public async Task CredentialsNeverReachTheErrorLine()
    {
        // A mirror URL with user:password, unreachable (port 9): the error names the endpoint without them.
        var options = kit.Options(endpoint: "http://alice:s3cret@127.0.0.1:9", token: HubTestKit.GatedToken);
        var e = await Assert.ThrowsAnyAsync<LlmLocException>(() => kit.Resolve("acme/tiny", options));
        Assert.Contains("http://***@127.0.0.1:9", e.Message);
        Assert.DoesNotContain("s3cret", e.Message + kit.Log);
        Assert.DoesNotContain(HubTestKit.GatedToken, e.Message + kit.Log);
        Assert.DoesNotContain("abcdefghijklmnop", Secrets.Redact("token hf_abcdefghijklmnop1234 refused"));
    }
}
