using LlmLoc.Evaluation;
using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Numerics;
using LlmLoc.Sessions;
using LlmLoc.Statistics;

namespace LlmLoc.Tests.Lesion;

/// <summary>
/// A custom localizer is a network like the built-ins in the lesion verbs: its name is a condition, --localizer makes
/// it the default condition and --random-like network, a bare name finds its cached {name}-{hash} mask, and a
/// --localizer no condition reads is refused before any model work.
/// </summary>
public sealed class CustomNetworkConditionTests : IClassFixture<CustomNetworkConditionTests.SmallLocalizer>
{
    /// <summary>A 12-item custom localizer ("small-lang": the first language items) localized once on the tiny GPT-2.</summary>
    public sealed class SmallLocalizer : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Model { get; }
        public string Cache => Dir.File("cache");
        public string Definition { get; }
        public CliRunner.Result Localize { get; }

        public SmallLocalizer()
        {
            Model = Dir.File("tiny-gpt2");
            Directory.CreateSymbolicLink(Model, Shared.Fixture("models", "gpt2"));
            var language = LlmLoc.Stimuli.LanguageStimuli.Load(Shared.Path_("stimuli"));
            Directory.CreateDirectory(Dir.File("def"));
            File.WriteAllLines(Dir.File("def/s.txt"), language.Positive.Take(12));
            File.WriteAllLines(Dir.File("def/n.txt"), language.Negative.Take(12));
            Definition = Dir.File("def/small.toml");
            File.WriteAllText(Definition, "name = \"small-lang\"\npositive = \"s.txt\"\nnegative = \"n.txt\"\nmax_tokens = 12\n");
            Localize = CliRunner.Run("localize", "--model-name", Model, "--localizer", Definition, "--percentage", "5",
                "--device", "cpu", "--cache-dir", Cache);
        }

        /// <summary>The custom mask localize cached (network small-lang-{hash}).</summary>
        public string MaskPath => Assert.Single(Directory.GetFiles(Cache, "tiny-gpt2_network=small-lang-*_range=*"));

        public void Dispose() => Dir.Dispose();
    }

    readonly SmallLocalizer small;
    public CustomNetworkConditionTests(SmallLocalizer small)
    {
        this.small = small;
        Assert.True(small.Localize.ExitCode == 0, small.Localize.Stderr);
    }

    UnitMask Custom => UnitMask.Load(small.MaskPath);
    string[] Size => ["--percentage", "5", "--cache-dir", small.Cache];

    [Fact]
    public void WithLocalizerEvaluatesNoneTheCustomNetworkAndRandomControlsDrawnLikeIt()
    {
        using var dir = new TempDir();
        string json = dir.File("eval.json");
        var run = CliRunner.Run(["evaluate", "--model-name", small.Model, "--device", "cpu", "--localizer", small.Definition, .. Size,
            "--random-seeds", "2", "--minimal-pairs", "--json", json]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var summary = doc.RootElement.GetProperty("summary").EnumerateArray().ToList();
        Assert.Equal(["none", "small-lang", "random", "random"], summary.Select(r => r.GetProperty("condition").GetString()));
        Assert.Equal([null, "small-lang", "small-lang", "small-lang"], summary.Select(r => r.GetProperty("network").GetString()));
        long count = Custom.Count;
        Assert.Equal([0L, count, count, count], summary.Select(r => r.GetProperty("masked_units").GetInt64()));
        Assert.Equal(small.MaskPath, summary[1].GetProperty("mask").GetString());

        // The same conditions by name (no --localizer: the bare name finds the one cached small-lang mask), and the
        // random controls are generate-lesion's draws outside it, seeds 42 and 43.
        var conditions = EvaluateRun.Conditions(new EvaluateOptions
        {
            Model = new(small.Model), Mask = new() { Percentage = 5, CacheDir = small.Cache },
            Networks = ["none", "small-lang", "random"], RandomSeeds = 2, MinimalPairsFile = "builtin",
        });
        Assert.Equal(Custom.Values, conditions[1].Mask!.Values);
        Assert.Equal(UnitSelection.RandomLesionMask(Custom.Values, 42), conditions[2].Mask!.Values);
        Assert.Equal(UnitSelection.RandomLesionMask(Custom.Values, 43), conditions[3].Mask!.Values);
    }

    [Fact]
    public void GenerateLesionAblatesTheLocalizersNetworkByDefaultAndDrawsRandomLikeIt()
    {
        string[] common = ["generate-lesion", "--model-name", small.Model, "--prompt", "The story", "--greedy", "--device", "cpu", .. Size];
        var lesion = CliRunner.Run([.. common, "--localizer", small.Definition]);
        Assert.True(lesion.ExitCode == 0, lesion.Stderr);
        Assert.Contains($"network small-lang: lesioning {Custom.Count} units of a (3, 48) mask from {small.MaskPath}", lesion.Stderr);

        var random = CliRunner.Run([.. common, "--localizer", small.Definition, "--network", "random"]);
        Assert.True(random.ExitCode == 0, random.Stderr);
        Assert.Contains($"from outside the {Custom.Count} small-lang units of {small.MaskPath}", random.Stderr);
        // --random-like takes the bare name too: the same draw.
        var byName = CliRunner.Run([.. common, "--network", "random", "--random-like", "small-lang"]);
        Assert.True(byName.ExitCode == 0, byName.Stderr);
        Assert.Equal(random.Stdout, byName.Stdout);
    }

    [Fact]
    public void ALocalizerNoConditionReadsIsRefusedBeforeAnyModelWork()
    {
        var result = CliRunner.Run(["evaluate", "--model-name", small.Dir.File("no-model"), "--localizer", small.Definition, .. Size,
            "--networks", "none", "language", "random", "--minimal-pairs"]);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"--localizer {small.Definition} defines the network small-lang, which no condition reads", line);
        Assert.Contains("no condition reads", CliRunner.Run(["generate-lesion", "--model-name", small.Dir.File("no-model"), "--prompt", "x",
            "--localizer", small.Definition, "--network", "language", .. Size]).Stderr);
    }

    [Fact]
    public void TheResolvedSpecificationNamesTheCustomCacheNetworkAndItsLocalizeCommand()
    {
        var spec = LocalizerReference.Apply(new MaskSpec { Percentage = 5, CacheDir = small.Cache }, null, small.Definition);
        Assert.Equal(("small-lang", small.Definition), (spec.Network, spec.Localizer!.File));
        Assert.Throws<InvalidOperationException>(() => spec.Key(small.Model, false, Pooling.LastToken));
        var resolved = LocalizerReference.Resolve(spec, new ModelSpec(small.Model));
        var key = resolved.Key(small.Model, false, Pooling.LastToken);
        Assert.Equal(small.MaskPath, resolved.Cache.MaskPath(key));
        Assert.Equal($"--percentage 5.0 --localizer {small.Definition} --pooling last-token --localize-range 100-100 --site mlp --cache-dir {small.Cache}",
            (resolved with { Site = UnitSite.Mlp }).Flags(Pooling.LastToken));
    }
}

/// <summary>The MLP site in mask names and shape checks, before any model work (the model folder has a config.json
/// but no weights).</summary>
public sealed class MlpSiteMaskChecksTests : IDisposable
{
    readonly TempDir dir = new();
    readonly string model;

    public MlpSiteMaskChecksTests()
    {
        model = dir.File("tiny-gpt2");
        Directory.CreateDirectory(model);
        File.Copy(Shared.Fixture("models", "gpt2", "config.json"), Path.Combine(model, "config.json"));
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void CacheNamesWithTheSiteParseBack()
    {
        var key = new MaskCacheKey("tiny-gpt2", "lang-es-0123abcd", "mean", "80-90", null, 10, false, UnitSite.Mlp);
        Assert.Equal(key, MaskCacheKey.TryParse(key.MaskFileName));
        Assert.Equal(key with { Site = UnitSite.Residual }, MaskCacheKey.TryParse((key with { Site = UnitSite.Residual }).MaskFileName));
        Assert.Null(MaskCacheKey.TryParse(key.MaskFileName.Replace("_site=mlp", "_site=resid")));
        Assert.Null(MaskCacheKey.TryParse(key.MaskFileName.Replace("_site=mlp", "_site=attn")));
    }

    [Fact]
    public void AResidualShapedMaskIsRefusedAtTheMlpSiteBeforeTheModelLoads()
    {
        var values = new long[3 * 48];
        values[0] = 1;
        string mask = dir.File("resid.npy");
        Npy.Write(mask, values, 3, 48);
        var result = CliRunner.Run("generate-lesion", "--model-name", model, "--prompt", "x", "--device", "cpu", "--site", "mlp", "--mask", mask);
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("llmloc: error:", StringComparison.Ordinal));
        Assert.Contains("has shape (3, 48) but the model has 3 layers × 192 MLP units (--site mlp)", line);
        Assert.DoesNotContain("safetensors", result.Stderr);
        // The MLP width comes from config.json as the family reads it (n_inner, else 4 × n_embd).
        Assert.Equal((3, 192), new ModelSpec(model).ShapeWithoutLoading(UnitSite.Mlp));
        Assert.Equal((3, 48), new ModelSpec(model).ShapeWithoutLoading(UnitSite.Residual));
    }

    [Fact]
    public void AMissingMlpMaskNamesTheSiteOfTheCachedOne()
    {
        string cache = dir.File("cache");
        var held = new MaskCacheKey("tiny-gpt2", "language", "last-token", "100-100", 1.0, null, true, UnitSite.Mlp);
        Directory.CreateDirectory(cache);
        var values = new long[3 * 192];
        values[5] = 1;
        Npy.Write(Path.Combine(cache, held.MaskFileName), values, 3, 192);
        var result = CliRunner.Run("generate-lesion", "--model-name", model, "--prompt", "x", "--device", "cpu", "--percentage", "1", "--cache-dir", cache);
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains($"the cache holds {held.MaskFileName} (select it with --site mlp)", result.Stderr);
    }
}
