namespace LlmLoc.Tests.Localization;

[CollectionDefinition("process environment", DisableParallelization = true)]
public class ProcessEnvironmentCollection;

/// <summary>
/// `--model-name org/name` from the CLI: the model is downloaded from HF_ENDPOINT (a fake hub on 127.0.0.1 serving the
/// tiny GPT-2 fixture) into HF_HUB_CACHE, localized, and then found offline. These tests set process environment
/// variables, so they run alone.
/// </summary>
[Collection("process environment")]
public sealed class HubEndToEndTests : IDisposable
{
    readonly FakeHub hub = new();
    readonly TempDir dir = new();
    readonly Dictionary<string, string?> saved = new();

    public HubEndToEndTests()
    {
        var files = new Dictionary<string, FakeFile>();
        foreach (var name in new[] { "config.json", "generation_config.json", "vocab.json", "merges.txt", "tokenizer_config.json" })
            files[name] = new FakeFile(File.ReadAllBytes(Shared.Fixture("models", "gpt2", name)), Lfs: false);
        files["model.safetensors"] = new FakeFile(File.ReadAllBytes(Shared.Fixture("models", "gpt2", "model.safetensors")), Lfs: true);
        hub.Add("acme/tiny-gpt2", new FakeRepo().Commit(HubTestKit.Commit1, files, "main"));
        Set("HF_ENDPOINT", hub.Endpoint);
        Set("HF_HOME", Path.Combine(dir.Path, "hf-home"));
        Set("HF_HUB_CACHE", Path.Combine(dir.Path, "hub"));
        Set("HF_HUB_OFFLINE", null);
        Set("HF_TOKEN", null);
    }

    void Set(string name, string? value)
    {
        if (!saved.ContainsKey(name)) saved[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        hub.Dispose();
        dir.Dispose();
    }

    CliRunner.Result Localize(params string[] extra) => CliRunner.Run(["localize", "--model-name", "acme/tiny-gpt2", "--percentage", "1",
        "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", Path.Combine(dir.Path, "cache"), "--device", "cpu", .. extra]);

    [Fact]
    public void AHubIdIsDownloadedLocalizedAndThenUsableOffline()
    {
        var first = Localize();
        Assert.True(first.ExitCode == 0, first.Stderr);
        const string mask = "tiny-gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy";
        Assert.Equal(File.ReadAllBytes(Shared.Fixture("localize-e2e", "cache", mask)), File.ReadAllBytes(Path.Combine(dir.Path, "cache", mask)));
        Assert.True(File.Exists(Path.Combine(dir.Path, "hub", "models--acme--tiny-gpt2", "refs", "main")));

        int requests = hub.Requests.Count;
        Set("HF_HUB_OFFLINE", "1");
        var offline = Localize("--overwrite");
        Assert.True(offline.ExitCode == 0, offline.Stderr);
        Assert.Equal(requests, hub.Requests.Count);

        var missing = CliRunner.Run("localize", "--model-name", "acme/not-there", "--percentage", "1", "--stimuli-dir", Shared.Path_("stimuli"),
            "--cache-dir", Path.Combine(dir.Path, "cache"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Matches("^llmloc: error: .*acme/not-there", missing.Stderr);
    }

    [Fact]
    public void AnUntrainedHubModelDownloadsNoWeights()
    {
        var result = Localize("--untrained");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(Path.Combine(dir.Path, "cache",
            "tiny-gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=False.npy")));
        Assert.Contains(hub.Requests, r => r.Path.EndsWith("/config.json"));
        Assert.DoesNotContain(hub.Requests, r => r.Path.Contains("safetensors"));
    }

    /// <summary>
    /// A Pythia training checkpoint as a hub revision: `EleutherAI/pythia-410m@step3000` resolves the step3000 branch
    /// (the models-more pythia checkpoint; main holds pythia-sequential), and localizing it gives the mask of the
    /// same files localized from a local folder, under the name `pythia-410m@step3000`.
    /// </summary>
    [Fact]
    public void APythiaRevisionIsDownloadedAndLocalized()
    {
        string local = Path.Combine(dir.Path, "pythia");
        Directory.CreateDirectory(local);
        foreach (var file in new[] { "config.json", "generation_config.json", "model.safetensors" })
            File.Copy(Path.Combine(Shared.Fixture("models-more", "pythia"), file), Path.Combine(local, file));
        FamilyTokenizerFiles.WriteByteTokenizer(local, "gpt_neox");
        Dictionary<string, FakeFile> Files(string folder) => Directory.GetFiles(folder)
            .ToDictionary(f => Path.GetFileName(f), f => new FakeFile(File.ReadAllBytes(f), Lfs: f.EndsWith(".safetensors")));
        var main = Files(local);
        main["config.json"] = new FakeFile(File.ReadAllBytes(Path.Combine(Shared.Fixture("models-more", "pythia-sequential"), "config.json")), Lfs: false);
        main["model.safetensors"] = new FakeFile(File.ReadAllBytes(Path.Combine(Shared.Fixture("models-more", "pythia-sequential"), "model.safetensors")), Lfs: true);
        hub.Add("EleutherAI/pythia-410m", new FakeRepo().Commit(HubTestKit.Commit1, main, "main").Commit(HubTestKit.Commit2, Files(local), "step3000"));

        string cache = Path.Combine(dir.Path, "cache");
        foreach (var model in new[] { "EleutherAI/pythia-410m@step3000", local })
        {
            var result = CliRunner.Run("localize", "--model-name", model, "--num-units", "10", "--stimuli-dir", Shared.Path_("stimuli"),
                "--cache-dir", cache, "--device", "cpu");
            Assert.True(result.ExitCode == 0, result.Stderr);
        }
        const string suffix = "_network=language_pooling=last-token_range=100-100_perc=None_nunits=10_pretrained=True.npy";
        Assert.Equal(File.ReadAllBytes(Path.Combine(cache, "pythia" + suffix)), File.ReadAllBytes(Path.Combine(cache, "pythia-410m@step3000" + suffix)));
        Assert.True(File.Exists(Path.Combine(dir.Path, "hub", "models--EleutherAI--pythia-410m", "refs", "step3000")));
        Assert.DoesNotContain(hub.Requests, r => r.Path.Contains("/resolve/main/"));
    }
}
