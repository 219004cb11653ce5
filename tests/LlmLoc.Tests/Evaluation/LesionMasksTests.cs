using LlmLoc.Evaluation;
using LlmLoc.Lesion;
using LlmLoc.Masks;

namespace LlmLoc.Tests.Evaluation;

/// <summary>Mask resolution for none / language / random, and the evaluate conditions built from it.</summary>
public class LesionMasksTests
{
    static UnitMask? Resolve(string network, string model, double percentage, string pooling, string range, int seed, string? maskFile, string cacheDir) =>
        LesionMaskResolver.Resolve(new LesionRequest
        {
            Model = new(model), Condition = network, Seed = seed,
            Mask = new()
            {
                Percentage = percentage, Pooling = LlmLoc.Masks.PoolingNames.Parse(pooling), Range = LlmLoc.Masks.LocalizeRange.Parse(range),
                CacheDir = cacheDir, File = maskFile,
            },
        }).Mask;

    [Fact]
    public void RandomSeedsGiveDistinctMasksOfTheLanguageMasksSize()
    {
        var (dir, model, cache, _) = TinyGpt2.WithLanguageMask();
        using var _dir = dir;
        var options = new EvaluateOptions { Model = new(model) { Seed = 7 }, Mask = new() { Percentage = 5, CacheDir = cache }, RandomSeeds = 4, MinimalPairsFile = "builtin" };
        var conditions = EvaluateRun.Conditions(options);

        Assert.Equal(["none", "language", "random", "random", "random", "random"], conditions.Select(c => c.Name));
        Assert.Null(conditions[0].Mask);
        var language = conditions[1].Mask!;
        Assert.Equal(5, language.Count);
        var randoms = conditions.Skip(2).ToList();
        Assert.Equal([7, 8, 9, 10], randoms.Select(c => c.Seed!.Value));
        foreach (var r in randoms)
        {
            Assert.Equal(language.Count, r.Mask!.Count);
            Assert.Equal((3, 48), (r.Mask.Layers, r.Mask.Hidden));
            Assert.DoesNotContain(Enumerable.Range(0, language.Values.Length), i => language.Values[i] == 1 && r.Mask.Values[i] == 1);
        }
        Assert.Equal(4, randoms.Select(r => string.Join(",", r.Mask!.Values)).Distinct().Count());
        // Same seed, same mask (numpy's legacy RandomState draw).
        Assert.Equal(randoms[0].Mask!.Values, Resolve("random", model, 5, "last-token", "100-100", 7, null, cache)!.Values);
    }

    [Fact]
    public void AMissingLanguageMaskNamesTheLocalizeCommand()
    {
        using var dir = new Infrastructure.TempDir();
        var error = Assert.Throws<LlmLocException>(() => Resolve("language", "org/tiny-gpt2", 1, "last-token", "100-100", 42, null, dir.Path));
        Assert.Contains("tiny-gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy", error.Message);
        Assert.Contains($"`llmloc localize --model-name org/tiny-gpt2 --percentage 1.0 --network language --pooling last-token --localize-range 100-100 --cache-dir {dir.Path}`", error.Message);
        Assert.Null(Resolve("none", "org/tiny-gpt2", 1, "last-token", "100-100", 42, null, dir.Path));
    }

    [Fact]
    public void AnExplicitMaskFileReplacesTheCache()
    {
        var (dir, _, _, maskPath) = TinyGpt2.WithLanguageMask();
        using var _dir = dir;
        using var empty = new Infrastructure.TempDir();
        var mask = Resolve("language", "other-model", 1, "mean", "0-0", 42, maskPath, empty.Path)!;
        Assert.Equal(5, mask.Count);
        var missing = Assert.Throws<LlmLocException>(() => Resolve("language", "m", 1, "mean", "0-0", 42, empty.File("nope.npy"), empty.Path));
        Assert.Contains("nope.npy does not exist", missing.Message);
    }
}
