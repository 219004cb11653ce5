using LlmLoc.Platform;
using LlmLoc.Tests.Hub;

namespace LlmLoc.Tests.Platform;

/// <summary>
/// Where symbolic links cannot be made (Windows without Developer Mode or administrator rights), the hub cache is laid
/// out as huggingface_hub's <c>_create_symlink</c> lays it out: a newly downloaded blob is moved into the snapshot, a
/// blob already in the cache is copied; the model loads the same.
/// </summary>
public sealed class HubWithoutSymlinksTests : IDisposable
{
    readonly HubTestKit _kit = new();
    public void Dispose() => _kit.Dispose();

    [Fact]
    public async Task NewBlobsAreMovedIntoTheSnapshotAsRegularFiles()
    {
        string snapshot;
        using (SymbolicLinks.Forbid()) snapshot = await _kit.Resolve("acme/tiny");

        foreach (var (name, fake) in HubTestKit.TinyFiles())
        {
            var file = new FileInfo(Path.Combine(snapshot, name));
            Assert.Null(file.LinkTarget);
            Assert.Equal(fake.Content, File.ReadAllBytes(file.FullName));
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(_kit.RepoFolder("acme/tiny"), "blobs"))); // each file on disk once

        // Cached: the next run makes no request and finds the same files.
        int requests = _kit.Server.Requests.Count;
        using (SymbolicLinks.Forbid()) Assert.Equal(snapshot, await _kit.Resolve("acme/tiny"));
        Assert.Equal(requests, _kit.Server.Requests.Count);
    }

    [Fact]
    public async Task ABlobAlreadyInTheCacheIsCopiedSoOtherSnapshotsKeepIt()
    {
        await _kit.Resolve("acme/tiny"); // with symlinks: blobs/ holds every file of main
        string blobs = Path.Combine(_kit.RepoFolder("acme/tiny"), "blobs");
        var before = Directory.GetFiles(blobs).Order().ToArray();

        string v1;
        using (SymbolicLinks.Forbid()) v1 = await _kit.Resolve("acme/tiny@v1");

        var tokenizer = new FileInfo(Path.Combine(v1, "tokenizer.json")); // the same blob as main's
        Assert.Null(tokenizer.LinkTarget);
        Assert.Equal(HubTestKit.TinyFiles()["tokenizer.json"].Content, File.ReadAllBytes(tokenizer.FullName));
        Assert.All(before, blob => Assert.True(File.Exists(blob), blob)); // main's links still resolve
        Assert.Equal(HubTestKit.TinyFiles()["tokenizer.json"].Content, File.ReadAllBytes(Path.Combine(_kit.RepoFolder("acme/tiny"), "snapshots", HubTestKit.Commit1, "tokenizer.json")));
    }
}
