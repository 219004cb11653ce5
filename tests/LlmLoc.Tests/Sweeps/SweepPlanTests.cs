using LlmLoc.Sweeps;

namespace LlmLoc.Tests.Sweeps;

/// <summary>Grids: expansion order and counts, seeds, cached-cell counting, the plan's round trip, the sbatch
/// script, and one-line errors for bad grids. No model runs here.</summary>
public sealed class SweepPlanTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    string Grid(string toml, string name = "grid.toml")
    {
        string path = dir.File(name);
        File.WriteAllText(path, toml);
        return path;
    }

    const string Big = """
        models = ["org/a", "b"]
        untrained = [true, false]
        networks = ["language", "multiple-demand"]
        ranges = ["100-100", "80-90"]
        percentages = [1]
        num_units = [10]
        seeds = [1, 2]
        cache_dir = "cache"
        stimuli_dir = "stim"
        """;

    [Fact]
    public void ExpandsInAStableModelMajorOrder()
    {
        var cells = SweepPlan.Expand(SweepGrid.Load(Grid(Big)));

        // Per model: pretrained × 2 networks × (100-100: 2 sizes, 1 seed; 80-90: 2 sizes × 2 seeds) = 12,
        // untrained (the seed sets the weights) × 2 networks × 2 ranges × 2 sizes × 2 seeds = 16.
        Assert.Equal(2 * (12 + 16), cells.Count);
        Assert.Equal(Enumerable.Range(0, cells.Count), cells.Select(c => c.Index));
        Assert.Equal(["org/a", "b"], cells.Select(c => c.Model).Distinct());
        Assert.All(cells.Take(28), c => Assert.Equal("org/a", c.Model));
        Assert.All(cells.Take(12), c => Assert.False(c.Untrained));

        // The whole order (docs/sweep.md): model, pretrained before untrained, network, pooling (multiple-demand's usual
        // one, mean, when poolings is not given), range, percentages then unit counts, seed.
        string[] perModel =
        [
            "pretrained language last-token 100-100 1% 1", "pretrained language last-token 100-100 10u 1",
            "pretrained language last-token 80-90 1% 1", "pretrained language last-token 80-90 1% 2",
            "pretrained language last-token 80-90 10u 1", "pretrained language last-token 80-90 10u 2",
            "pretrained multiple-demand mean 100-100 1% 1", "pretrained multiple-demand mean 100-100 10u 1",
            "pretrained multiple-demand mean 80-90 1% 1", "pretrained multiple-demand mean 80-90 1% 2",
            "pretrained multiple-demand mean 80-90 10u 1", "pretrained multiple-demand mean 80-90 10u 2",
            "untrained language last-token 100-100 1% 1", "untrained language last-token 100-100 1% 2",
            "untrained language last-token 100-100 10u 1", "untrained language last-token 100-100 10u 2",
            "untrained language last-token 80-90 1% 1", "untrained language last-token 80-90 1% 2",
            "untrained language last-token 80-90 10u 1", "untrained language last-token 80-90 10u 2",
            "untrained multiple-demand mean 100-100 1% 1", "untrained multiple-demand mean 100-100 1% 2",
            "untrained multiple-demand mean 100-100 10u 1", "untrained multiple-demand mean 100-100 10u 2",
            "untrained multiple-demand mean 80-90 1% 1", "untrained multiple-demand mean 80-90 1% 2",
            "untrained multiple-demand mean 80-90 10u 1", "untrained multiple-demand mean 80-90 10u 2",
        ];
        Assert.Equal(
            [.. perModel.Select(c => "org/a " + c), .. perModel.Select(c => "b " + c)],
            cells.Select(c => $"{c.Model} {(c.Untrained ? "untrained" : "pretrained")} {c.Network} {c.Pooling} {c.Range} " +
                              $"{(c.Percentage is { } p ? $"{p}%" : $"{c.NumUnits}u")} {c.Seed}"));

        // Every cell caches to its own file (several seeds go to cache/seed=N), and the grid's relative folders
        // are taken from the grid's folder.
        Assert.Equal(cells.Count, cells.Select(c => c.MaskPath).Distinct().Count());
        Assert.Equal(Path.Combine(dir.Path, "cache"), cells[0].CacheDir);
        Assert.Equal(Path.Combine(dir.Path, "cache", "seed=2"), cells[3].CacheDir);
        Assert.Equal(Path.Combine(dir.Path, "stim"), cells[0].StimuliDir);
    }

    [Fact]
    public void PlanCountsCachedCellsAndRoundTrips()
    {
        string grid = Grid("""
            models = ["gpt2"]
            networks = ["language", "theory-of-mind"]
            poolings = ["mean", "last-token"]
            percentages = [1, 0.5]
            untrained = true
            cache_dir = "cache"
            """);
        string cache = Directory.CreateDirectory(dir.File("cache")).FullName;
        // Cached: a valid mask of GPT-2's 12 x 768 units; an empty file (a damaged mask) and another run's mask are not.
        var mask = new long[12 * 768];
        mask[5] = 1;
        LlmLoc.Numerics.Npy.Write(Path.Combine(cache, "gpt2_network=theory-of-mind_pooling=last-token_range=100-100_perc=0.5_nunits=None_pretrained=False.npy"), mask, 12, 768);
        File.WriteAllText(Path.Combine(cache, "gpt2_network=language_pooling=mean_range=100-100_perc=1.0_nunits=None_pretrained=False.npy"), "");
        File.WriteAllText(Path.Combine(cache, "gpt2_network=language_pooling=mean_range=100-100_perc=1.0_nunits=None_pretrained=True.npy"), "");

        var result = CliRunner.Run("sweep", "plan", grid);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("sweep: 8 cells, 1 already cached, 7 to run", result.Stdout);
        string planPath = dir.File("grid.plan.jsonl");
        Assert.Equal(8, File.ReadAllLines(planPath).Length);
        var plan = SweepPlan.Load(planPath);
        Assert.Equal(SweepPlan.Expand(SweepGrid.Load(grid)), plan.Cells);
        Assert.Equal(dir.File("grid.plan.errors"), plan.ErrorsDir);
        Assert.Equal(dir.File("grid.plan.summary.csv"), plan.SummaryCsvPath);
    }

    [Fact]
    public void StatusWritesBothSummariesOrNeither()
    {
        Grid("models = [\"gpt2\"]\npercentages = [1]\n");
        Assert.Equal(0, CliRunner.Run("sweep", "plan", dir.File("grid.toml")).ExitCode);
        var plan = SweepPlan.Load(dir.File("grid.plan.jsonl"));
        Directory.CreateDirectory(plan.SummaryParquetPath); // the Parquet summary cannot be renamed into place

        var result = CliRunner.Run("sweep", "status", plan.Path);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.StartsWith("llmloc: error: file system error: ", result.Stderr);
        Assert.False(File.Exists(plan.SummaryCsvPath), "the CSV summary must not be left without its Parquet twin");
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp*"));
    }

    [Fact]
    public void SlurmScriptIsAJobArrayOverThePlan()
    {
        Grid("models = [\"gpt2\"]\nnetworks = [\"language\", \"theory-of-mind\"]\npercentages = [1, 5]\n");
        Directory.CreateDirectory(dir.File("my plans"));
        string planPath = Path.Combine(dir.Path, "my plans", "p.jsonl");
        Assert.Equal(0, CliRunner.Run("sweep", "plan", dir.File("grid.toml"), "--out", planPath).ExitCode);

        var result = CliRunner.Run("sweep", "slurm", planPath, "--partition", "gpu", "--time", "02:00:00", "--mem", "32G",
            "--gpus", "a100:1", "--account", "lab", "--cpus-per-task", "4", "--max-parallel", "3",
            "--sbatch-option=--qos=short", "--llmloc", "/opt/llm loc/llmloc");

        Assert.True(result.ExitCode == 0, result.Stderr);
        string logs = Path.Combine(dir.Path, "my plans", "p.logs");
        Assert.True(Directory.Exists(logs), "the log folder must exist before sbatch (Slurm does not create it)");
        Assert.Equal(
            [
                "#!/bin/bash",
                $"# llmloc sweep: 4 cells of {planPath}, one array task per cell",
                "#SBATCH --job-name=llmloc-sweep",
                "#SBATCH --array=0-3%3",
                $"#SBATCH --output=\"{logs}/%A_%a.out\"", // one argument though the folder has a space
                $"#SBATCH --error=\"{logs}/%A_%a.err\"",
                "#SBATCH --partition=gpu",
                "#SBATCH --time=02:00:00",
                "#SBATCH --mem=32G",
                "#SBATCH --cpus-per-task=4",
                "#SBATCH --gpus=a100:1",
                "#SBATCH --account=lab",
                "#SBATCH --requeue",
                "#SBATCH --qos=short",
                "set -euo pipefail",
                $"exec '/opt/llm loc/llmloc' sweep run '{planPath}' --task \"$SLURM_ARRAY_TASK_ID\"",
            ],
            File.ReadAllLines(Path.Combine(dir.Path, "my plans", "p.sbatch")));
    }

    public static TheoryData<string, string> BadGrids => new()
    {
        { "models = [\"gpt2\"]\npercentages = [1]\nnetwork = [\"language\"]\n", "key 'network' is not a grid key" },
        { "models = \"gpt2\"\npercentages = [\"1\"]\n", "key 'percentages' must be a number or a list of numbers, not the string \"1\"" },
        { "models = [\"gpt2\"]\npercentages = [1]\nnetworks = [\"vision\"]\n", "key 'networks' has a bad value \"vision\": unknown --network 'vision'" },
        { "models = [\"gpt2\"]\npercentages = [1]\npoolings = [\"max\"]\n", "key 'poolings' has a bad value \"max\"" },
        { "models = [\"gpt2\"]\npercentages = [1]\nranges = [\"90-80\"]\n", "key 'ranges' has a bad value \"90-80\"" },
        { "models = [\"gpt2\"]\npercentages = [0]\n", "key 'percentages' has a bad value 0" },
        { "models = [\"gpt2\"]\nnum_units = [-3]\n", "key 'num_units' has a bad value -3" },
        { "percentages = [1]\n", "key 'models' is required" },
        { "models = [\"gpt2\"]\n", "key 'percentages' or num_units is required" },
        { "models = []\npercentages = [1]\n", "key 'models' is empty" },
        { "models = [\"gpt2\"]\npercentages = [1]\nuntrained = \"yes\"\n", "key 'untrained' must be a boolean" },
        { "models = [\"gpt2\"]\npercentages = [1]\nbatch_size = 0\n", "key 'batch_size' 0 is out of range" },
        { "models = [\"gpt2\"\n", "is not valid TOML" },
        { "models = [\"org1/x\", \"org2/x\"]\npercentages = [1]\n", "cells 0 (org1/x language last-token 100-100 1.0% pretrained seed=42) and 1 (org2/x " },
        { "models = [\"gpt2\"]\npercentages = [1, 1.0]\n", "would write the same mask gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy" },
    };

    [Theory]
    [MemberData(nameof(BadGrids))]
    public void BadGridsAreOneLineErrorsNamingTheKey(string toml, string message)
    {
        string grid = Grid(toml);
        var result = CliRunner.Run("sweep", "plan", grid);

        Assert.NotEqual(0, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"llmloc: error: grid '{grid}'", line);
        Assert.Contains(message, line);
        Assert.False(File.Exists(dir.File("grid.plan.jsonl")), "a plan was written for a bad grid");
    }

    [Fact]
    public void RunNeedsATaskAndOneInsideThePlan()
    {
        string grid = Grid("models = [\"gpt2\"]\npercentages = [1]\n");
        Assert.Equal(0, CliRunner.Run("sweep", "plan", grid).ExitCode);
        string plan = dir.File("grid.plan.jsonl");

        var outside = CliRunner.Run("sweep", "run", plan, "--task", "1");
        Assert.Equal(1, outside.ExitCode);
        Assert.Contains("task 1 is outside the plan", outside.Stderr);
        Assert.False(Directory.Exists(dir.File("grid.plan.errors")));

        if (Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID") is null)
            Assert.Contains("give --task N", CliRunner.Run("sweep", "run", plan).Stderr);
        Assert.Contains("plan '", CliRunner.Run("sweep", "status", dir.File("nope.jsonl")).Stderr);
    }
}
