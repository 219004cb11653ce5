using System.Security.Cryptography;

namespace LlmLoc.Tests.Hub;

public sealed class HubDownloadTests : IDisposable
{
    readonly HubTestKit kit = new();
    public void Dispose() => kit.Dispose();

    [Fact]
    public async Task First_download_lays_out_the_cache_exactly_like_huggingface_hub()
    {
        string snapshot = await kit.Resolve("acme/tiny");

        string repo = kit.RepoFolder("acme/tiny");
        Assert.Equal(Path.Combine(repo, "snapshots", HubTestKit.Commit1), snapshot);
        Assert.Equal(HubTestKit.Commit1, File.ReadAllText(Path.Combine(repo, "refs", "main"))); // no newline, as Python writes it

        var files = HubTestKit.TinyFiles();
        Assert.Equal(files.Keys.Order(), Directory.GetFiles(snapshot).Select(Path.GetFileName).Order());
        foreach (var (name, fake) in files)
        {
            var entry = new FileInfo(Path.Combine(snapshot, name));
            Assert.Equal($"../../blobs/{fake.Etag}", entry.LinkTarget); // relative symlink to the blob named by its etag
            Assert.Equal(fake.Content, File.ReadAllBytes(entry.FullName));
        }
        Assert.Equal(files.Values.Select(f => f.Etag).Order(), Directory.GetFiles(Path.Combine(repo, "blobs")).Select(Path.GetFileName).Order());
        Assert.Equal(64, files["model.safetensors"].Etag.Length); // the LFS blob is named by its sha256, the rest by git sha1
        Assert.Equal(40, files["config.json"].Etag.Length);

        // Files the repo lacks are recorded for Python's try_to_load_from_cache as empty .no_exist markers.
        string noExist = Path.Combine(repo, ".no_exist", HubTestKit.Commit1);
        Assert.Equal(["merges.txt", "special_tokens_map.json", "tokenizer.model", "vocab.json"],
            Directory.GetFiles(noExist).Select(f => Path.GetFileName(f)).Order().ToArray());
        Assert.All(Directory.GetFiles(noExist), f => Assert.Equal(0, new FileInfo(f).Length));

        // The config (HEAD, then GET, at main as huggingface_hub does) pins the commit; everything else is asked for at that commit. LFS bytes come from the CDN redirect.
        var requests = kit.Server.Requests;
        Assert.Equal("/acme/tiny/resolve/main/config.json", requests[0].Path);
        Assert.All(requests.Where(r => r.Path.Contains("/resolve/") && !r.Path.EndsWith("/config.json")), r => Assert.Contains($"/resolve/{HubTestKit.Commit1}/", r.Path));
        Assert.Contains(requests, r => r.Method == "GET" && r.Path == $"/cdn/{files["model.safetensors"].Sha256}");
        Assert.DoesNotContain(requests, r => r.Method == "GET" && r.Path.Contains("/resolve/") && r.Path.EndsWith("model.safetensors"));
        Assert.Empty(Directory.GetFiles(repo, "*.incomplete", SearchOption.AllDirectories));
        Assert.Contains("llmloc: downloaded model.safetensors (256.0 kB in ", kit.Log.ToString());
        Assert.Single(kit.Log.ToString().Split('\n'), l => l.Contains("model.safetensors")); // one line per file
    }

    [Fact]
    public async Task A_cached_model_is_reused_without_any_request()
    {
        string first = await kit.Resolve("acme/tiny");
        int before = kit.Server.Requests.Count;
        Assert.True(before > 0);

        string second = await kit.Resolve("acme/tiny");
        Assert.Equal(first, second);
        Assert.Equal(before, kit.Server.Requests.Count);
    }

    [Fact]
    public async Task A_cache_written_by_python_is_used_as_is_without_any_request()
    {
        // huggingface_hub's layout for gpt2 downloaded by transformers: refs/main, blobs, relative symlinks; no .no_exist.
        string repo = kit.RepoFolder("openai-community/gpt2");
        string commit = "607a30d783dfa663caf39e06633721c8d4cfcd7e";
        string snapshot = Path.Combine(repo, "snapshots", commit);
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(snapshot);
        File.WriteAllText(Path.Combine(repo, "refs", "main"), commit);
        foreach (var (name, etag) in new[] { ("config.json", "10c66461e4c109db5a2196bff4bb59be30396ed8"),
                     ("vocab.json", "1f1d9aaca301414e7f6c9396df506798ff4eb9a6"), ("merges.txt", "226b0752cac7789c48f0cb3ec53eda48b7be36cc"),
                     ("model.safetensors", "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707") })
        {
            File.WriteAllText(Path.Combine(repo, "blobs", etag), name);
            File.CreateSymbolicLink(Path.Combine(snapshot, name), $"../../blobs/{etag}");
        }

        var unreachable = kit.Options(endpoint: "http://127.0.0.1:9"); // any request would fail
        Assert.Equal(snapshot, await kit.Resolve("openai-community/gpt2", unreachable));
        Assert.Empty(kit.Server.Requests);
    }

    [Fact]
    public async Task Sharded_checkpoint_brings_the_index_and_every_shard_once()
    {
        string snapshot = await kit.Resolve("gpt2");

        Assert.Equal(Path.Combine(kit.RepoFolder("gpt2"), "snapshots", HubTestKit.Commit1), snapshot);
        string[] expected = ["config.json", "merges.txt", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
            "model.safetensors.index.json", "vocab.json"];
        Assert.Equal(expected, Directory.GetFiles(snapshot).Select(f => Path.GetFileName(f)).Order().ToArray());
        string shard1 = Convert.ToHexStringLower(SHA256.HashData(HubTestKit.Bytes(3000, seed: 7)));
        Assert.Single(kit.Server.Requests, r => r.Method == "GET" && r.Path == $"/cdn/{shard1}"); // named twice in weight_map, fetched once
        Assert.False(File.Exists(Path.Combine(kit.RepoFolder("gpt2"), ".no_exist", HubTestKit.Commit1, "model.safetensors.index.json")));
        Assert.True(File.Exists(Path.Combine(kit.RepoFolder("gpt2"), ".no_exist", HubTestKit.Commit1, "model.safetensors")));
    }

    [Fact]
    public async Task A_connection_dropped_halfway_is_resumed_with_a_range_request()
    {
        var weights = HubTestKit.TinyFiles()["model.safetensors"];
        kit.Server.DropOnce[weights.Sha256] = true;

        string snapshot = await kit.Resolve("acme/tiny");

        Assert.Equal(weights.Content, File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
        var gets = kit.Server.Requests.Where(r => r.Method == "GET" && r.Path == $"/cdn/{weights.Sha256}").ToList();
        Assert.Equal(2, gets.Count);
        Assert.Null(gets[0].Header("Range"));
        Assert.Equal($"bytes={weights.Content.Length / 2}-", gets[1].Header("Range"));
    }

    [Fact]
    public async Task A_partial_file_left_by_an_interrupted_run_is_resumed_from_its_size()
    {
        var weights = HubTestKit.TinyFiles()["model.safetensors"];
        string blobs = Path.Combine(kit.RepoFolder("acme/tiny"), "blobs");
        Directory.CreateDirectory(blobs);
        File.WriteAllBytes(Path.Combine(blobs, weights.Sha256 + ".incomplete"), weights.Content[..1000]);

        string snapshot = await kit.Resolve("acme/tiny");

        Assert.Equal(weights.Content, File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
        var get = Assert.Single(kit.Server.Requests, r => r.Method == "GET" && r.Path == $"/cdn/{weights.Sha256}");
        Assert.Equal("bytes=1000-", get.Header("Range"));
        Assert.Contains("resumed at 1000 B", kit.Log.ToString());
    }

    [Fact]
    public async Task A_blob_whose_sha256_differs_from_its_etag_is_rejected_and_removed()
    {
        var weights = HubTestKit.TinyFiles()["model.safetensors"];
        kit.Server.Corrupt[weights.Sha256] = true;

        var e = await Assert.ThrowsAsync<LlmLocException>(() => kit.Resolve("acme/tiny"));

        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("corrupted", e.Message);
        string repo = kit.RepoFolder("acme/tiny");
        Assert.False(File.Exists(Path.Combine(repo, "blobs", weights.Sha256)));
        Assert.Empty(Directory.GetFiles(repo, "*.incomplete", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(repo, "snapshots", HubTestKit.Commit1, "model.safetensors")));
    }

    [Fact]
    public async Task A_revision_after_the_at_sign_is_fetched_and_recorded_in_refs()
    {
        string snapshot = await kit.Resolve("acme/tiny@v1");

        Assert.Equal(Path.Combine(kit.RepoFolder("acme/tiny"), "snapshots", HubTestKit.Commit2), snapshot);
        Assert.Equal(HubTestKit.Commit2, File.ReadAllText(Path.Combine(kit.RepoFolder("acme/tiny"), "refs", "v1")));
        Assert.False(File.Exists(Path.Combine(kit.RepoFolder("acme/tiny"), "refs", "main")));
        Assert.Equal("/acme/tiny/resolve/v1/config.json", kit.Server.Requests[0].Path);
        Assert.Contains("\"v\": 1", File.ReadAllText(Path.Combine(snapshot, "config.json")));
    }

    [Fact]
    public async Task A_commit_hash_revision_writes_no_ref_and_is_then_served_from_cache()
    {
        string snapshot = await kit.Resolve($"acme/tiny@{HubTestKit.Commit1}");
        int count = kit.Server.Requests.Count;

        Assert.Equal(Path.Combine(kit.RepoFolder("acme/tiny"), "snapshots", HubTestKit.Commit1), snapshot);
        Assert.False(Directory.Exists(Path.Combine(kit.RepoFolder("acme/tiny"), "refs")));
        Assert.Equal(snapshot, await kit.Resolve($"acme/tiny@{HubTestKit.Commit1}"));
        Assert.Equal(count, kit.Server.Requests.Count);
    }

    [Fact]
    public async Task A_local_folder_is_returned_unchanged_without_touching_the_hub()
    {
        Assert.Equal(kit.Temp.Path, await kit.Resolve(kit.Temp.Path));
        Assert.Empty(kit.Server.Requests);
    }
}
