using LlmLoc.Masks;
using LlmLoc.Numerics;
using LlmLoc.Statistics;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;

namespace LlmLoc.Tests.Masks;

/// <summary>
/// One vocabulary for masks in every verb: a theory-of-mind mask localized with --num-units is found by plot,
/// generate-lesion, evaluate, extract and align through the same flags, labelled with its network, with a random
/// control of its size.
/// </summary>
public sealed class MaskVocabularyTests : IClassFixture<MaskVocabularyTests.TomMask>
{
    /// <summary>The tiny GPT-2 fixture (3 × 48 units) with a theory-of-mind mask of 50 units, localized once.</summary>
    public sealed class TomMask : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Model { get; }
        public string Cache => Dir.File("cache");
        public string MaskPath => Path.Combine(Cache, "tiny-gpt2_network=theory-of-mind_pooling=last-token_range=100-100_perc=None_nunits=50_pretrained=True.npy");
        public CliRunner.Result Localize { get; }

        public TomMask()
        {
            Model = Dir.File("tiny-gpt2");
            Directory.CreateSymbolicLink(Model, Shared.Fixture("models", "gpt2"));
            Localize = CliRunner.Run("localize", "--model-name", Model, "--network", "theory-of-mind", "--num-units", "50",
                "--device", "cpu", "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", Cache);
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly TomMask tom;
    public MaskVocabularyTests(TomMask tom)
    {
        this.tom = tom;
        Assert.True(tom.Localize.ExitCode == 0, tom.Localize.Stderr);
    }

    string[] Size => ["--num-units", "50", "--cache-dir", tom.Cache];
    string[] Mask => ["--network", "theory-of-mind", .. Size];
    UnitMask TomUnits => UnitMask.Load(tom.MaskPath);

    [Fact]
    public void LocalizeNamesTheNumUnitsMaskAsLocalizePyDoes()
    {
        Assert.Contains($"> Saved mask to {tom.MaskPath}", tom.Localize.Stdout);
        Assert.Equal(50, TomUnits.Count);
    }

    [Fact]
    public void PlotNamesTheCachedPoolingWhenItsDefaultFindsNothing()
    {
        using var output = new TempDir();
        // plot.py's default pooling for networks other than language is mean; localize cached last-token.
        var missing = CliRunner.Run(["plot", "--model-name", tom.Model, .. Mask, "--output", output.Path]);
        Assert.Equal(ExitCodes.InputError, missing.ExitCode);
        Assert.Single(missing.Stderr.Trim().Split('\n'));
        Assert.Contains("no cached theory-of-mind mask", missing.Stderr);
        Assert.Contains($"the cache holds {Path.GetFileName(tom.MaskPath)} (select it with --pooling last-token)", missing.Stderr);

        var plotted = CliRunner.Run(["plot", "--model-name", tom.Model, .. Mask, "--pooling", "last-token", "--output", output.Path]);
        Assert.True(plotted.ExitCode == 0, plotted.Stderr);
        Assert.Contains("heatmap_model=tiny-gpt2_network=theory-of-mind_pooling=last-token_range=100-100_perc=None_nunits=50_pretrained=True.png", plotted.Stdout);
    }

    [Fact]
    public void GenerateLesionAblatesTheTomMaskAndItsRandomControl()
    {
        string[] common = ["generate-lesion", "--model-name", tom.Model, "--prompt", "The story", "--greedy", "--device", "cpu", .. Mask];
        var lesion = CliRunner.Run([.. common]);
        Assert.True(lesion.ExitCode == 0, lesion.Stderr);
        Assert.Contains($"network theory-of-mind: lesioning 50 units of a (3, 48) mask from {tom.MaskPath}", lesion.Stderr);

        var random = CliRunner.Run([.. common[..^6], "--network", "random", "--random-like", "theory-of-mind", "--num-units", "50", "--cache-dir", tom.Cache]);
        Assert.True(random.ExitCode == 0, random.Stderr);
        Assert.Contains($"network random: lesioning 50 units of a (3, 48) mask drawn (seed 42) from outside the 50 theory-of-mind units", random.Stderr);

        // The same lesion through --mask gives the same text: the cache lookup found exactly that file.
        var viaFile = CliRunner.Run("generate-lesion", "--model-name", tom.Model, "--prompt", "The story", "--greedy", "--device", "cpu",
            "--network", "theory-of-mind", "--mask", tom.MaskPath);
        Assert.Equal(lesion.Stdout, viaFile.Stdout);
        // --network none needs no size and no mask.
        var none = CliRunner.Run("generate-lesion", "--model-name", tom.Model, "--prompt", "The story", "--greedy", "--device", "cpu", "--network", "none");
        Assert.True(none.ExitCode == 0, none.Stderr);
    }

    [Fact]
    public void EvaluateLabelsTheTomLesionAndDrawsItsRandomControlLikeIt()
    {
        using var dir = new TempDir();
        string json = dir.File("eval.json"), table = dir.File("eval.csv");
        var run = CliRunner.Run(["evaluate", "--model-name", tom.Model, "--device", "cpu", .. Size, "--networks", "none", "theory-of-mind", "random",
            "--random-seeds", "2", "--minimal-pairs", "--json", json, "--table", table]);
        Assert.True(run.ExitCode == 0, run.Stderr);

        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var summary = doc.RootElement.GetProperty("summary").EnumerateArray().ToList();
        Assert.Equal(["none", "theory-of-mind", "random", "random"], summary.Select(r => r.GetProperty("condition").GetString()));
        Assert.Equal([null, "theory-of-mind", "theory-of-mind", "theory-of-mind"], summary.Select(r => r.GetProperty("network").GetString()));
        Assert.Equal([0L, 50, 50, 50], summary.Select(r => r.GetProperty("masked_units").GetInt64()));
        Assert.Equal(tom.MaskPath, summary[1].GetProperty("mask").GetString());

        // The random controls are generate-lesion's draws outside the ToM mask, seeds 42 and 43.
        var conditions = LlmLoc.Evaluation.EvaluateRun.Conditions(new LlmLoc.Evaluation.EvaluateOptions
        {
            Model = new(tom.Model), Mask = new() { NumUnits = 50, CacheDir = tom.Cache },
            Networks = ["none", "theory-of-mind", "random"], RandomSeeds = 2, MinimalPairsFile = "builtin",
        });
        Assert.Equal(UnitSelection.RandomLesionMask(TomUnits.Values, 42), conditions[2].Mask!.Values);
        Assert.Equal(UnitSelection.RandomLesionMask(TomUnits.Values, 43), conditions[3].Mask!.Values);
        var lines = File.ReadAllLines(table);
        string[] header = lines[0].Split(',');
        Assert.Equal("kind", header[0]);
        int condition = Array.IndexOf(header, "condition"), network = Array.IndexOf(header, "network");
        Assert.All(lines.Skip(1).Select(l => l.Split(',')).Where(f => f[condition] == "random"), f => Assert.Equal("theory-of-mind", f[network]));
        Assert.Contains("theory-of-mind", run.Stdout);
    }

    [Fact]
    public void ExtractAndAlignReadTheTomMaskByTheSameFlags()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("items.txt"), Enumerable.Range(0, 12).Select(i => $"Sentence number {i} is here."));
        var masked = CliRunner.Run(["extract", "--model-name", tom.Model, "--device", "cpu", "--input", dir.File("items.txt"),
            "--output", dir.File("masked.npy"), .. Mask, "--mask-pooling", "last-token"]);
        Assert.True(masked.ExitCode == 0, masked.Stderr);
        Assert.Equal([12, 50], Npy.Read(dir.File("masked.npy")).Shape);

        var all = CliRunner.Run("extract", "--model-name", tom.Model, "--device", "cpu", "--input", dir.File("items.txt"), "--output", dir.File("all.npy"));
        Assert.True(all.ExitCode == 0, all.Stderr);
        var rng = new Random(3);
        Npy.Write(dir.File("y.npy"), Enumerable.Range(0, 12 * 3).Select(_ => rng.NextDouble()).ToArray(), 12, 3);
        var align = CliRunner.Run(["align", "--activations", dir.File("all.npy"), "--responses", dir.File("y.npy"), "--model-name", tom.Model,
            .. Mask, "--folds", "3", "--random-seeds", "2", "--json", dir.File("align.json")]);
        Assert.True(align.ExitCode == 0, align.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("align.json")));
        var conditions = doc.RootElement.GetProperty("conditions").EnumerateArray().ToList();
        Assert.Equal("theory-of-mind", conditions[0].GetProperty("condition").GetString());
        Assert.Equal(TomUnits.SelectedIndices().Length, conditions[0].GetProperty("units").GetInt32());
        Assert.Equal(50, conditions[1].GetProperty("units").GetInt32());
        Assert.Contains("theory-of-mind − random", align.Stdout);
    }

    [Fact]
    public void BothSizesWarnAndKeepLocalizePysName()
    {
        using var dir = new TempDir();
        var run = CliRunner.Run("localize", "--model-name", tom.Model, "--percentage", "5", "--num-units", "10", "--device", "cpu",
            "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", dir.Path);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("llmloc: warning: --percentage 5.0 overrides --num-units 10 (as localize.py)", run.Stderr);
        string path = Path.Combine(dir.Path, "tiny-gpt2_network=language_pooling=last-token_range=100-100_perc=5.0_nunits=10_pretrained=True.npy");
        Assert.Equal(UnitSelection.NumUnitsFromPercentage(5, 48, 3), UnitMask.Load(path).Count);
    }
}

/// <summary>Mistakes in naming a mask are one-line errors before any model work: the model folder here has a
/// config.json but no weights, so reaching the model load would report missing weights instead.</summary>
public sealed class MaskVocabularyErrorTests : IDisposable
{
    readonly TempDir dir = new();
    readonly string model, cache;

    public MaskVocabularyErrorTests()
    {
        model = dir.File("tiny-gpt2");
        Directory.CreateDirectory(model);
        File.Copy(Shared.Fixture("models", "gpt2", "config.json"), Path.Combine(model, "config.json"));
        cache = dir.File("cache");
        Directory.CreateDirectory(cache);
    }

    public void Dispose() => dir.Dispose();

    static void AssertOneLine(CliRunner.Result result, int exitCode, string part)
    {
        Assert.Equal(exitCode, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("llmloc: error:", StringComparison.Ordinal));
        Assert.Contains(part, line);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("safetensors", result.Stderr);
    }

    string Mask(int layers, int hidden, int units)
    {
        var values = new long[layers * hidden];
        for (int i = 0; i < units; i++) values[i] = 1;
        string path = dir.File($"mask-{layers}x{hidden}-{units}.npy");
        Npy.Write(path, values, layers, hidden);
        return path;
    }

    [Fact]
    public void AMaskOfAnotherModelsShape() =>
        AssertOneLine(CliRunner.Run("generate-lesion", "--model-name", model, "--prompt", "x", "--device", "cpu", "--mask", Mask(2, 48, 5)),
            ExitCodes.InputError, "has shape (2, 48) but the model has 3 layers × 48 units");

    [Fact]
    public void ARandomLikeNetworkWithNoCachedMask() =>
        AssertOneLine(CliRunner.Run("evaluate", "--model-name", model, "--device", "cpu", "--minimal-pairs", "--cache-dir", cache,
            "--networks", "none", "random", "--random-like", "theory-of-mind"),
            ExitCodes.InputError, "no cached theory-of-mind mask");

    [Fact]
    public void MoreRandomUnitsThanLieOutsideTheMask() =>
        AssertOneLine(CliRunner.Run("generate-lesion", "--model-name", model, "--prompt", "x", "--device", "cpu", "--network", "random",
            "--mask", Mask(3, 48, 100)),
            ExitCodes.InputError, "needs 100 units outside it, but only 44 units lie outside it");

    [Fact]
    public void ATablePathWithAnUnknownExtension() =>
        AssertOneLine(CliRunner.Run("evaluate", "--model-name", model, "--device", "cpu", "--minimal-pairs", "--network", "none",
            "--table", dir.File("scores.tsv")),
            ExitCodes.Usage, "a table is written as .csv or .parquet");
}
