using System.Text;
using LlmLoc.Hub;

namespace LlmLoc.Tests.Infrastructure;

/// <summary>A fake hub with a few tiny repos, a private cache folder, and a Resolve that never reads the real environment.</summary>
public sealed class HubTestKit : IDisposable
{
    public const string Commit1 = "1111111111111111111111111111111111111111";
    public const string Commit2 = "2222222222222222222222222222222222222222";
    public const string GatedToken = "hf_testTokenDoNotPrint123";

    public FakeHub Server { get; } = new();
    public TempDir Temp { get; } = new();
    public string CacheDir => Path.Combine(Temp.Path, "hub");
    public StringWriter Log { get; } = new();

    /// <summary>acme/tiny: config, generation config, two tokenizer files, one LFS safetensors (256 kB, so a drop is mid-file).</summary>
    public static Dictionary<string, FakeFile> TinyFiles(string tag = "") => new()
    {
        ["config.json"] = Text($"{{\"model_type\": \"gpt2\", \"n_layer\": 2{tag}}}"),
        ["generation_config.json"] = Text("{\"bos_token_id\": 50256}"),
        ["tokenizer.json"] = Text("{\"version\": \"1.0\"}"),
        ["tokenizer_config.json"] = Text("{\"model_max_length\": 1024}"),
        ["model.safetensors"] = Lfs(Bytes(256 * 1024, seed: 1 + tag.Length)),
    };

    public HubTestKit()
    {
        Server.Add("acme/tiny", new FakeRepo().Commit(Commit1, TinyFiles(), "main").Commit(Commit2, TinyFiles(", \"v\": 1"), "v1"));
        Server.Add("gpt2", new FakeRepo().Commit(Commit1, new()
        {
            ["config.json"] = Text("{\"model_type\": \"gpt2\"}"),
            ["vocab.json"] = Text("{\"!\": 0}"),
            ["merges.txt"] = Text("#version: 0.2\n"),
            ["model.safetensors.index.json"] = Text(
                "{\"metadata\": {}, \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\", " +
                "\"c\": \"model-00001-of-00002.safetensors\"}}"),
            ["model-00001-of-00002.safetensors"] = Lfs(Bytes(3000, seed: 7)),
            ["model-00002-of-00002.safetensors"] = Lfs(Bytes(5000, seed: 8)),
        }, "main"));
        Server.Add("acme/pickled", new FakeRepo().Commit(Commit1, new()
        {
            ["config.json"] = Text("{}"),
            ["pytorch_model.bin"] = Lfs(Bytes(1000, seed: 3)),
        }, "main"));
        Server.Add("acme/gated", new FakeRepo { RequiredToken = GatedToken }.Commit(Commit1, TinyFiles(), "main"));
    }

    public HubOptions Options(bool offline = false, string? token = null, string? endpoint = null) =>
        new(Offline: offline, Endpoint: endpoint ?? Server.Endpoint, Token: token, CacheDir: CacheDir, Progress: Log)
        {
            RetryDelay = TimeSpan.FromMilliseconds(20), // huggingface_hub waits 1 s; tests need not
        };

    /// <summary>Resolve with a private environment (HF_HOME in the temp folder, so no real token file is read).</summary>
    public Task<string> Resolve(string model, HubOptions? options = null, Dictionary<string, string>? env = null)
    {
        var vars = new Dictionary<string, string> { ["HF_HOME"] = Path.Combine(Temp.Path, "hf-home") };
        foreach (var (k, v) in env ?? []) vars[k] = v;
        return ModelLocator.ResolveAsync(model, options ?? Options(), k => vars.GetValueOrDefault(k), CancellationToken.None);
    }

    public string RepoFolder(string repoId) => Path.Combine(CacheDir, "models--" + repoId.Replace("/", "--"));

    public static FakeFile Text(string s) => new(Encoding.UTF8.GetBytes(s), Lfs: false);
    public static FakeFile Lfs(byte[] b) => new(b, Lfs: true);
    public static byte[] Bytes(int n, int seed) { var b = new byte[n]; new Random(seed).NextBytes(b); return b; }

    public void Dispose() { Server.Dispose(); Temp.Dispose(); }
}
