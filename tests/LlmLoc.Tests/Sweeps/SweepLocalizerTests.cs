using LlmLoc.Masks;
using LlmLoc.Sweeps;

namespace LlmLoc.Tests.Sweeps;

/// <summary>Grids with <c>localizers = [...]</c> and <c>sites = [...]</c>: expansion, one-line errors, and a run whose
/// cells write the masks localize itself writes (custom cache names, MLP site) and whose summary plot reads.</summary>
public sealed class SweepLocalizerTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    public SweepLocalizerTests()
    {
        Directory.CreateSymbolicLink(dir.File("tiny-gpt2"), Shared.Fixture("models", "gpt2"));
        var language = LlmLoc.Stimuli.LanguageStimuli.Load(Shared.Path_("stimuli"));
        Directory.CreateDirectory(dir.File("defs"));
        File.WriteAllLines(dir.File("defs/s.txt"), language.Positive.Take(10));
        File.WriteAllLines(dir.File("defs/n.txt"), language.Negative.Take(10));
        File.WriteAllText(dir.File("defs/mini.toml"), "name = \"mini\"\npositive = \"s.txt\"\nnegative = \"n.txt\"\nmax_tokens = 12\npooling = \"mean\"\n");
    }

    string Grid(string extra) => WriteGrid($"""
        models = ["{dir.File("tiny-gpt2")}"]
        percentages = [5]
        device = "cpu"
        stimuli_dir = "{Shared.Path_("stimuli")}"
        cache_dir = "cache"
        {extra}
        """);

    string WriteGrid(string toml)
    {
        File.WriteAllText(dir.File("grid.toml"), toml);
        return dir.File("grid.toml");
    }

    [Fact]
    public void LocalizersAndSitesMultiplyTheCellsAndCarryTheirFileAndPooling()
    {
        var cells = SweepPlan.Expand(SweepGrid.Load(Grid("networks = [\"language\"]\nlocalizers = [\"defs/mini.toml\", \"multiple-demand\"]\nsites = [\"resid\", \"mlp\"]")));
        Assert.Equal(
            ["language last-token resid", "language last-token mlp", "mini mean resid", "mini mean mlp", "multiple-demand mean resid", "multiple-demand mean mlp"],
            cells.Select(c => $"{c.Network} {c.Pooling} {c.Site}"));
        Assert.Equal([null, null, dir.File("defs/mini.toml"), dir.File("defs/mini.toml"), null, null], cells.Select(c => c.Localizer));
        // Without networks, only the localizers are swept; the plan round-trips the new keys.
        var only = SweepPlan.Expand(SweepGrid.Load(Grid("localizers = [\"defs/mini.toml\"]")));
        Assert.Equal("mini", Assert.Single(only).Network);
        var written = SweepPlan.Write(dir.File("p.jsonl"), only);
        Assert.Equal(only, SweepPlan.Load(written.Path).Cells);
    }

    [Theory]
    [InlineData("localizers = [\"defs/missing.toml\"]", "missing.toml does not exist")]
    [InlineData("localizers = [\"someone\"]", "is not a built-in localizer or a definition file")]
    [InlineData("sites = [\"attn\"]", "unknown --site 'attn'")]
    [InlineData("localizers = []", "'localizers' is empty")]
    public void BadLocalizersAndSitesAreOneLineGridErrors(string extra, string message)
    {
        var result = CliRunner.Run("sweep", "plan", Grid(extra));
        Assert.NotEqual(0, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line);
        Assert.False(File.Exists(dir.File("grid.plan.jsonl")));
    }

    [Fact]
    public void ARunWritesTheMasksLocalizeWritesAndTheSummaryNamesTheirNetworkAndSite()
    {
        string grid = Grid("localizers = [\"defs/mini.toml\"]\nsites = [\"resid\", \"mlp\"]");
        Assert.Equal(0, CliRunner.Run("sweep", "plan", grid).ExitCode);
        string plan = dir.File("grid.plan.jsonl");
        foreach (int task in new[] { 0, 1 })
        {
            var run = CliRunner.Run("sweep", "run", plan, "--task", task.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(run.ExitCode == 0, run.Stderr);
        }
        var status = CliRunner.Run("sweep", "status", plan);
        Assert.True(status.ExitCode == 0, status.Stderr);
        string[] csv = File.ReadAllLines(dir.File("grid.plan.summary.csv"));
        Assert.Equal(3, csv.Length);
        string network = Assert.Single(Directory.GetFiles(dir.File("cache"), "*_tvalues.npy").Select(Path.GetFileName),
            n => !n!.Contains("site=mlp"))!["tiny-gpt2_network=".Length..].Split("_pooling")[0];
        Assert.Matches("^mini-[0-9a-f]{8}$", network);
        Assert.StartsWith($"tiny-gpt2,{network},mean,100-100,5,,True,42,7,", csv[1]);
        Assert.EndsWith(",resid", csv[1]);
        Assert.StartsWith($"tiny-gpt2,{network},mean,100-100,5,,True,42,28,", csv[2]);
        Assert.EndsWith($"_pooling=mean_site=mlp_range=100-100_perc=5.0_nunits=None_pretrained=True.npy,mlp", csv[2]);

        // The same masks as localize with the same flags.
        var localize = CliRunner.Run("localize", "--model-name", dir.File("tiny-gpt2"), "--localizer", dir.File("defs/mini.toml"), "--site", "mlp",
            "--percentage", "5", "--device", "cpu", "--cache-dir", dir.File("direct"));
        Assert.True(localize.ExitCode == 0, localize.Stderr);
        string name = $"tiny-gpt2_network={network}_pooling=mean_site=mlp_range=100-100_perc=5.0_nunits=None_pretrained=True.npy";
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("direct"), name)), File.ReadAllBytes(Path.Combine(dir.File("cache"), name)));

        var plot = CliRunner.Run("plot", "--from-summary", dir.File("grid.plan.summary.csv"), "--output", dir.File("figs"));
        Assert.True(plot.ExitCode == 0, plot.Stderr);
        Assert.Contains($"tvalues_model=tiny-gpt2_network={network}_pooling=mean_site=mlp_range=100-100", plot.Stdout);
    }
}
