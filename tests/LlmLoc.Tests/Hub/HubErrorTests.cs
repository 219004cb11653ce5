namespace LlmLoc.Tests.Hub;

public sealed class HubErrorTests : IDisposable
{
    readonly HubTestKit kit = new();
    public void Dispose() => kit.Dispose();

    [Fact]
    public async Task Offline_mode_serves_a_cached_model_and_sends_nothing()
    {
        string online = await kit.Resolve("acme/tiny");
        int count = kit.Server.Requests.Count;

        Assert.Equal(online, await kit.Resolve("acme/tiny", kit.Options(offline: true)));
        Assert.Equal(online, await kit.Resolve("acme/tiny", env: new() { ["HF_HUB_OFFLINE"] = "1" }));
        Assert.Equal(count, kit.Server.Requests.Count);
    }

    [Fact]
    public async Task Offline_mode_with_an_uncached_model_fails_in_one_line_without_requests()
    {
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/tiny", env: new() { ["HF_HUB_OFFLINE"] = "yes" }));

        Assert.Equal(ExitCodes.InputError, e.ExitCode);
        Assert.Contains("'acme/tiny'", e.Message);
        Assert.Contains("HF_HUB_OFFLINE", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(kit.Server.Requests);
    }

    [Fact]
    public async Task Offline_mode_names_what_is_missing_from_a_partial_cache()
    {
        await kit.Resolve("acme/tiny");
        File.Delete(Path.Combine(kit.RepoFolder("acme/tiny"), "snapshots", HubTestKit.Commit1, "model.safetensors"));

        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/tiny", kit.Options(offline: true)));
        Assert.Contains("missing: safetensors weights", e.Message);
    }

    [Fact]
    public async Task A_gated_model_without_a_token_asks_for_the_licence_and_a_token()
    {
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/gated"));

        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.Contains("acme/gated", e.Message);
        Assert.Contains("accept its licence", e.Message);
        Assert.Contains("HF_TOKEN", e.Message);
        Assert.Contains("huggingface-cli login", e.Message);
        Assert.Contains("HTTP 401", e.Message);
    }

    [Fact]
    public async Task A_refused_token_is_never_printed()
    {
        const string secret = "hf_wrongSecretValue42";
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/gated", kit.Options(token: secret)));

        Assert.Contains("HTTP 403", e.Message);
        Assert.Contains("refused", e.Message);
        Assert.DoesNotContain(secret, e.Message);
        Assert.DoesNotContain(secret, kit.Log.ToString());
    }

    [Fact]
    public async Task A_gated_model_downloads_with_the_token_which_never_goes_to_the_cdn()
    {
        string snapshot = await kit.Resolve("acme/gated", env: new() { ["HF_TOKEN"] = HubTestKit.GatedToken });

        Assert.True(File.Exists(Path.Combine(snapshot, "model.safetensors")));
        var requests = kit.Server.Requests;
        Assert.All(requests.Where(r => r.Path.Contains("/resolve/")), r => Assert.Equal($"Bearer {HubTestKit.GatedToken}", r.Header("Authorization")));
        Assert.All(requests.Where(r => r.Path.StartsWith("/cdn/")), r => Assert.Null(r.Header("Authorization")));
        Assert.DoesNotContain(HubTestKit.GatedToken, kit.Log.ToString());
    }

    [Fact]
    public async Task The_token_file_in_HF_HOME_is_used_when_HF_TOKEN_is_unset()
    {
        string home = Path.Combine(kit.Temp.Path, "hf-home");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "token"), HubTestKit.GatedToken + "\n");

        string snapshot = await kit.Resolve("acme/gated");
        Assert.True(File.Exists(Path.Combine(snapshot, "config.json")));
    }

    [Fact]
    public async Task An_unknown_model_is_named_in_a_one_line_error()
    {
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/does-not-exist"));

        Assert.Equal(ExitCodes.InputError, e.ExitCode);
        Assert.Contains("'acme/does-not-exist' was not found", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Single(kit.Server.Requests);
    }

    [Fact]
    public async Task An_unknown_revision_is_named()
    {
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/tiny@nope"));
        Assert.Contains("revision 'nope'", e.Message);
    }

    [Fact]
    public async Task A_pickle_only_model_is_refused_with_the_conversion_recipe_and_never_downloaded()
    {
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/pickled"));

        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("never unpickles", e.Message);
        Assert.Contains("save_pretrained(\"DIR\", safe_serialization=True)", e.Message);
        Assert.DoesNotContain(kit.Server.Requests, r => r.Method == "GET" && !r.Path.EndsWith("config.json"));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/definitely/not/a/folder")]
    [InlineData("~/models/llama")]
    [InlineData("./models/llama")]
    [InlineData("org/../secret")]
    [InlineData("org/..")]
    [InlineData("org\\name")]
    [InlineData("org/name/extra")]
    [InlineData("org--x/name")]
    [InlineData("org/na me")]
    [InlineData("org/name%2F..")]
    [InlineData("-org/name")]
    [InlineData("org/name.")]
    [InlineData("org/")]
    [InlineData("")]
    [InlineData("org/name@")]
    [InlineData("org/name@../../x")]
    [InlineData("org/name@v1\\..")]
    public async Task Path_tricks_are_rejected_before_any_request(string name)
    {
        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve(name));

        Assert.Equal(ExitCodes.InputError, e.ExitCode);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(kit.Server.Requests);
        Assert.False(Directory.Exists(kit.CacheDir));
    }

    [Fact]
    public async Task An_unreachable_hub_says_that_HF_HUB_OFFLINE_uses_the_cache()
    {
        var e = await Assert.ThrowsAnyAsync<LlmLocException>(() => kit.Resolve("acme/tiny", kit.Options(endpoint: "http://127.0.0.1:9")));

        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.Contains("cannot reach", e.Message);
        Assert.Contains("HF_HUB_OFFLINE=1", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task An_unreachable_hub_falls_back_to_a_cached_snapshot_that_has_config_and_weights()
    {
        string snapshot = await kit.Resolve("acme/tiny");
        // Unsettle the tokenizer so the cache alone is not complete and a request would be made.
        foreach (var f in new[] { "tokenizer.json" }) File.Delete(Path.Combine(snapshot, f));

        Assert.Equal(snapshot, await kit.Resolve("acme/tiny", kit.Options(endpoint: "http://127.0.0.1:9")));
        Assert.Contains("using the cached snapshot", kit.Log.ToString());
    }

    [Fact]
    public async Task A_lock_held_by_another_process_is_waited_for()
    {
        string locks = Path.Combine(kit.CacheDir, ".locks", "models--acme--tiny");
        Directory.CreateDirectory(locks);
        var held = HubTestKit.TinyFiles().Values
            .Select(f => new FileStream(Path.Combine(locks, f.Etag + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            .ToList();

        var resolve = kit.Resolve("acme/tiny");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(resolve.IsCompleted, "resolved (or failed) while another process held the download locks");
        held.ForEach(h => h.Dispose());

        Assert.True(Directory.Exists(await resolve));
    }

    [Fact]
    public async Task A_lock_file_that_cannot_be_opened_fails_instead_of_being_waited_for_forever()
    {
        // Only "held by another process" is worth waiting for. Any other failure to open the lock (here a path over
        // PATH_MAX while its folder is under it; in practice a read-only or broken cache) must surface, not spin.
        string cache = kit.Temp.Path;
        while (cache.Length < 3800) cache = Path.Combine(cache, new string('c', 200));
        cache = Path.Combine(cache, new string('c', 4040 - cache.Length - 1));
        Assert.Equal(4040, cache.Length); // .locks/models--acme--tiny fits in 4095 bytes, its <etag>.lock files do not
        var resolve = kit.Resolve("acme/tiny", kit.Options() with { CacheDir = cache });

        Assert.Same(resolve, await Task.WhenAny(resolve, Task.Delay(TimeSpan.FromSeconds(20))));
        var e = await Assert.ThrowsAsync<PathTooLongException>(() => resolve);
        Assert.Equal(ExitCodes.InputError, ErrorReport.For(e).ExitCode);
    }

    [Fact]
    public async Task A_full_disk_is_reported_in_one_line_and_leaves_no_blob()
    {
        // The partial file fails with ENOSPC (errno 28), exactly like a full disk. (A planted link to /dev/full would
        // be replaced: llmloc never writes through links in the cache.)
        var weights = HubTestKit.TinyFiles()["model.safetensors"];
        string blobs = Path.Combine(kit.RepoFolder("acme/tiny"), "blobs");
        var fullDisk = kit.Options() with { OpenPartialFile = (_, _) => new FullDiskStream() };

        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/tiny", fullDisk));

        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.Contains("disk is full", e.Message);
        Assert.Contains("HF_HUB_CACHE", e.Message);
        Assert.False(File.Exists(Path.Combine(blobs, weights.Sha256)));
    }
}

/// <summary>A writable stream that fails every write as a full disk does (IOException with errno ENOSPC).</summary>
sealed class FullDiskStream : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => 0;
    public override long Position { get => 0; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device", 28);
}
