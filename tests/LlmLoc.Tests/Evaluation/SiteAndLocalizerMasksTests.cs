using LlmLoc.BrainAlignment;
using LlmLoc.Evaluation;
using LlmLoc.Extraction;
using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Numerics;

namespace LlmLoc.Tests.Evaluation;

/// <summary>evaluate, extract and align with --site and --localizer: the masks they look up carry the site, the random
/// control stays at it, extract records it and keeps the mask's MLP units, align finds the custom mask by name.</summary>
public sealed class SiteAndLocalizerMasksTests : IDisposable
{
    readonly TempDir dir = new();
    readonly string model;
    public void Dispose() => dir.Dispose();

    public SiteAndLocalizerMasksTests()
    {
        model = dir.File("tiny-gpt2");
        Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
    }

    /// <summary>A cached mask of (3, width) with every seventh unit, under the name localize gives it.</summary>
    UnitMask Cache(MaskCacheKey key)
    {
        int width = key.Site == UnitSite.Mlp ? 192 : 48;
        var values = Enumerable.Range(0, 3 * width).Select(i => i % 7 == 0 ? 1L : 0L).ToArray();
        Directory.CreateDirectory(dir.File("cache"));
        Npy.Write(new MaskCache(dir.File("cache")).MaskPath(key), values, 3, width);
        return new UnitMask(values, 3, width);
    }

    MaskCacheKey Key(string network, UnitSite site) => new("tiny-gpt2", network, "last-token", "100-100", 1.0, null, true, site);

    [Fact]
    public void EvaluateConditionsCarryTheSiteAndTheRandomControlStaysOutsideTheMlpMask()
    {
        var cached = Cache(Key("language", UnitSite.Mlp));
        var options = new EvaluateOptions { Model = new(model), Mask = new() { Percentage = 1, CacheDir = dir.File("cache"), Site = UnitSite.Mlp }, MinimalPairsFile = "builtin", RandomSeeds = 2 };
        var conditions = EvaluateRun.Conditions(options);
        Assert.Equal(["none", "language", "random", "random"], conditions.Select(c => c.Name));
        Assert.Equal(cached.Values, conditions[1].Mask!.Values);
        Assert.All(conditions.Skip(1), c => Assert.Equal((UnitSite.Mlp, 3, 192), (c.Mask!.Site, c.Mask.Layers, c.Mask.Hidden)));
        foreach (var random in conditions.Skip(2))
        {
            Assert.Equal(cached.Count, random.Mask!.Count);
            Assert.DoesNotContain(Enumerable.Range(0, cached.Values.Length), i => cached.Values[i] == 1 && random.Mask.Values[i] == 1);
        }
        // The residual lookup is another file: not there.
        var error = Assert.Throws<LlmLocException>(() => EvaluateRun.Conditions(options with { Mask = options.Mask with { Site = UnitSite.Residual } }));
        Assert.Contains("network=language_pooling=last-token_range=100-100", error.Message);
    }

    [Fact]
    public void ExtractAtTheMlpSiteWritesTheMlpWidthAndKeepsTheMaskedMlpUnits()
    {
        Cache(Key("language", UnitSite.Mlp));
        File.WriteAllLines(dir.File("items.txt"), ["The cat sat on the mat.", "Rain.", "After the long meeting, everyone went home."]);
        ExtractOptions Options(string output, double? percentage) => new()
        {
            Model = new(model), InputFile = dir.File("items.txt"), OutputFile = dir.File(output), Site = UnitSite.Mlp,
            Mask = percentage is null ? null : new() { Percentage = percentage, CacheDir = dir.File("cache") },
        };
        ExtractRun.Run(Options("full.npy", null), TextWriter.Null, TextWriter.Null);
        ExtractRun.Run(Options("masked.npy", 1), TextWriter.Null, TextWriter.Null);
        Assert.Equal([3, 3, 192], Npy.Read(dir.File("full.npy")).Shape);
        float[] full = Npy.Read(dir.File("full.npy")).ToFloats(), masked = Npy.Read(dir.File("masked.npy")).ToFloats();
        int[] units = Enumerable.Range(0, 3 * 192).Where(i => i % 7 == 0).ToArray();
        Assert.Equal([3, units.Length], Npy.Read(dir.File("masked.npy")).Shape);
        for (int item = 0; item < 3; item++)
            for (int k = 0; k < units.Length; k++)
                Assert.Equal(full[item * 3 * 192 + units[k]], masked[item * units.Length + k]);
        Assert.Equal(units.Select((u, k) => $"{k},{u / 192},{u % 192}"), File.ReadAllLines(dir.File("masked.units.csv")).Skip(1));

        // The recorded MLP site is the model's: the recorder's last-token pooling at that site.
        using var loaded = ModelLoader.Load(model, new LoadOptions());
        var tokenizer = LlmLoc.Tokenization.HfTokenizer.FromFolder(model);
        var ids = File.ReadAllLines(dir.File("items.txt")).Select(t => tokenizer.Encode(t)).ToList();
        var expected = LlmLoc.Recording.ActivationRecorder.Record(loaded, ids, Pooling.LastToken, 64, 0, site: UnitSite.Mlp);
        Assert.Equal(expected.Select(v => (float)v), full);
    }

    [Fact]
    public void ExtractAndAlignRefuseALocalizerWithoutTheMaskItNames()
    {
        var extract = CliRunner.Run("extract", "--model-name", model, "--input", dir.File("x.txt"), "--output", dir.File("x.npy"), "--localizer", "lang-es");
        Assert.Equal(ExitCodes.Usage, extract.ExitCode);
        Assert.Contains("--localizer lang-es picks the cached mask of --percentage", extract.Stderr);
        Npy.Write(dir.File("a.npy"), new float[6], 2, 3);
        var align = CliRunner.Run("align", "--activations", dir.File("a.npy"), "--responses", dir.File("a.npy"), "--localizer", "lang-es");
        Assert.Equal(ExitCodes.Usage, align.ExitCode);
        Assert.Contains("picks a cached mask of --model-name", align.Stderr);
    }

    [Fact]
    public void AlignFindsACustomMaskByItsBareNameAtItsSite()
    {
        var cached = Cache(Key("lang-es-0123abcd", UnitSite.Mlp));
        var rng = new Random(3);
        const int items = 12;
        Npy.Write(dir.File("acts.npy"), Enumerable.Range(0, items * 3 * 192).Select(_ => (float)rng.NextDouble()).ToArray(), items, 3, 192);
        Npy.Write(dir.File("y.npy"), Enumerable.Range(0, items * 2).Select(_ => rng.NextDouble()).ToArray(), items, 2);
        var run = CliRunner.Run("align", "--activations", dir.File("acts.npy"), "--responses", dir.File("y.npy"), "--model-name", model,
            "--cache-dir", dir.File("cache"), "--localizer", "lang-es", "--site", "mlp", "--folds", "3", "--random-seeds", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        // The custom network is a condition like the built-ins, named by the localizer's name.
        Assert.Matches($@"lang-es\s+{cached.Count}\s", run.Stdout);

        var resid = CliRunner.Run("align", "--activations", dir.File("acts.npy"), "--responses", dir.File("y.npy"), "--model-name", model,
            "--cache-dir", dir.File("cache"), "--localizer", "lang-es", "--folds", "3");
        Assert.Equal(ExitCodes.InputError, resid.ExitCode);
        // The error names the custom mask the cache holds at the other site and the flag that selects it.
        Assert.Contains("no cached lang-es mask", resid.Stderr);
        Assert.Contains($"the cache holds {Key("lang-es-0123abcd", UnitSite.Mlp).MaskFileName} (select it with --site mlp)", resid.Stderr);
    }
}
