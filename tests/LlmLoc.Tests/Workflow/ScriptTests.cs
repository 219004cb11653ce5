namespace LlmLoc.Tests.Workflow;

/// <summary>The example scripts pass the original's flags; sweep.sh writes a grid llmloc accepts and runs it with `llmloc sweep`.</summary>
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
            ["MODELS"] = "org/a b", ["NETWORKS"] = "language multiple-demand", ["CACHE_DIR"] = "my cache",
        };
        foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    string SweepDir => Path.Combine(_runner.Root, "sweep");

    [Fact]
    public void SweepWritesAGridThenPlansAndRunsItLocally()
    {
        var result = _runner.Run("sweep.sh", SweepEnv(("JOBS", "2")), "--device", "cpu", "--stimuli-dir", "stim");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(
            [$"sweep plan sweep/grid.toml", $"sweep run sweep/grid.plan.jsonl --local -j 2"],
            result.Calls);
        Assert.Equal(
            [
                "# written by scripts/sweep.sh",
                "models = [\"org/a\", \"b\"]",
                "networks = [\"language\", \"multiple-demand\"]",
                "percentages = [1]",
                "ranges = [\"100-100\"]",
                "untrained = false",
                $"cache_dir = \"{Path.Combine(_runner.Root, "my cache")}\"",
                "device = \"cpu\"",
                $"stimuli_dir = \"{Path.Combine(_runner.Root, "stim")}\"",
            ],
            File.ReadAllLines(Path.Combine(SweepDir, "grid.toml")));
    }

    [Fact]
    public void SweepGridIsOneThatLlmlocAccepts()
    {
        Assert.Equal(0, _runner.Run("sweep.sh", SweepEnv(("UNTRAINED", "1"), ("POOLING", "mean"), ("PERCENTAGE", "0.5"), ("RANGE", "80-90"))).ExitCode);

        var cells = LlmLoc.Sweeps.SweepPlan.Expand(LlmLoc.Sweeps.SweepGrid.Load(Path.Combine(SweepDir, "grid.toml")));

        Assert.Equal(
            ["org/a language mean 80-90 0.5% untrained seed=42", "org/a multiple-demand mean 80-90 0.5% untrained seed=42",
             "b language mean 80-90 0.5% untrained seed=42", "b multiple-demand mean 80-90 0.5% untrained seed=42"],
            cells.Select(c => c.Label));
        Assert.Equal(Path.Combine(_runner.Root, "my cache", "a_network=language_pooling=mean_range=80-90_perc=0.5_nunits=None_pretrained=False.npy"), cells[0].MaskPath);
    }

    [Fact]
    public void SweepPassesOnTheRunsExitCodeAndRefusesUnknownFlags()
    {
        var failed = _runner.Run("sweep.sh", SweepEnv(("FAKE_FAIL_ON", "--local"), ("FAKE_EXIT", "3")));
        Assert.Equal(3, failed.ExitCode);

        var unknown = _runner.Run("sweep.sh", SweepEnv(), "--percentage", "5");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("sweep: unknown flag '--percentage'", unknown.Stderr);
        Assert.Empty(unknown.Calls);
    }
}
