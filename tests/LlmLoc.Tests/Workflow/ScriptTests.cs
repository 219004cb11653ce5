namespace LlmLoc.Tests.Workflow;

/// <summary>The example scripts pass the original's flags; sweep.sh skips cached masks, keeps order, stops on failure.</summary>
public sealed class ScriptTests : IDisposable
{
    readonly ScriptRunner _runner = new();
    static readonly Dictionary<string, string> NoEnv = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData("localize_lang_example.sh", "localize --model-name gpt2-xl --percentage 1 --network language --localize-range 100-100 --pooling last-token")]
    [InlineData("localize_tom_example.sh", "localize --model-name gpt2-xl --percentage 1 --network theory-of-mind --localize-range 100-100 --pooling mean")]
    [InlineData("localize_md_example.sh", "localize --model-name gpt2-xl --percentage 1 --network multiple-demand --localize-range 100-100 --pooling mean")]
    [InlineData("plot_lang_heatmap.sh", "plot --model-name gpt2-xl --percentage 1 --network language")]
    public void ExamplesRunTheOriginalsCommand(string script, string expected)
    {
        var result = _runner.Run(script, NoEnv, "--device", "cpu");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([expected + " --device cpu"], result.Calls);
    }

    [Fact]
    public void LlmlocMayBeSeveralWords()
    {
        var result = _runner.Run("localize_lang_example.sh", new Dictionary<string, string> { ["LLMLOC"] = $"bash {_runner.Fake}" });
        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.Calls);
    }

    Dictionary<string, string> SweepEnv(params (string, string)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["MODELS"] = "org/a b", ["NETWORKS"] = "language multiple-demand", ["CACHE_DIR"] = Path.Combine(_runner.Root, "cache"),
        };
        foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    string Cached(string name)
    {
        string cache = Path.Combine(_runner.Root, "cache");
        Directory.CreateDirectory(cache);
        File.WriteAllText(Path.Combine(cache, name), "");
        return name;
    }

    string Call(string model, string network, string pooling, string extra = "") =>
        $"localize --model-name {model} --network {network} --pooling {pooling} --localize-range 100-100 --percentage 1 " +
        $"--cache-dir {Path.Combine(_runner.Root, "cache")}{extra}";

    [Fact]
    public void SweepSkipsCachedMasksAndKeepsModelMajorOrder()
    {
        Cached("a_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy");
        // A mask of the untrained model does not count for the pretrained one.
        Cached("b_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=False.npy");

        var result = _runner.Run("sweep.sh", SweepEnv(), "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(
            [Call("org/a", "multiple-demand", "mean", " --device cpu"), Call("b", "language", "last-token", " --device cpu"),
             Call("b", "multiple-demand", "mean", " --device cpu")],
            result.Calls);
        Assert.Contains("org/a language: cached", result.Stdout);
        Assert.Contains("3 localized, 1 already cached", result.Stdout);
    }

    [Fact]
    public void SweepUntrainedLooksForPretrainedFalseAndPassesTheFlag()
    {
        Cached("b_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=False.npy");
        var result = _runner.Run("sweep.sh", SweepEnv(("UNTRAINED", "1"), ("NETWORKS", "language")));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([Call("org/a", "language", "last-token", " --untrained")], result.Calls);
    }

    [Fact]
    public void SweepStopsAtTheFirstFailureNamingTheCommand()
    {
        var result = _runner.Run("sweep.sh", SweepEnv(("FAKE_FAIL_ON", "--model-name b --network language"), ("FAKE_EXIT", "3")));

        Assert.Equal(3, result.ExitCode);
        string failing = Call("b", "language", "last-token");
        Assert.Equal([Call("org/a", "language", "last-token"), Call("org/a", "multiple-demand", "mean"), failing], result.Calls);
        Assert.Contains($"sweep: failed (exit 3): {_runner.Fake} {failing}", result.Stderr);
        Assert.Contains("fake failure", result.Stderr);
    }

    [Fact]
    public void SweepWritesPercentagesAsPythonFloats()
    {
        Cached("a_network=language_pooling=last-token_range=100-100_perc=5.0_nunits=None_pretrained=True.npy");
        Cached("a_network=language_pooling=last-token_range=100-100_perc=0.5_nunits=None_pretrained=True.npy");
        foreach (var p in new[] { "5", "0.5" })
        {
            var result = _runner.Run("sweep.sh", SweepEnv(("MODELS", "a"), ("NETWORKS", "language"), ("PERCENTAGE", p)));
            Assert.Equal(0, result.ExitCode);
            Assert.Empty(result.Calls);
        }
    }
}
