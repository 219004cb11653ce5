using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Statistics;
using LlmLoc.Tests.Infrastructure;
using static LlmLoc.Tests.Lesion.LesionCli;

namespace LlmLoc.Tests.Lesion;

/// <summary>Where the mask comes from: the localize cache, --mask, the random control, or none.</summary>
public class GenerateLesionMaskTests
{
    /// <summary>A model folder named tiny-gpt2 (a link to the gpt2 fixture) and a cache holding its language mask.</summary>
    sealed class CachedModel : IDisposable
    {
        readonly TempDir dir = new();
        public string Model { get; }
        public string Cache { get; }

        public CachedModel(string percentage = "1.0")
        {
            Model = dir.File("tiny-gpt2");
            Directory.CreateSymbolicLink(Model, ModelFolder("gpt2"));
            Cache = dir.File("cache");
            Directory.CreateDirectory(Cache);
            File.Copy(FixtureMask("gpt2"), Path.Combine(Cache,
                $"tiny-gpt2_network=language_pooling=last-token_range=100-100_perc={percentage}_nunits=None_pretrained=True.npy"));
        }

        public Result Run(params string[] args) => LesionCli.Run(
            ["--model-name", Model, "--prompt", "The quick brown fox", "--percentage", "1", "--cache-dir", Cache, "--greedy", .. args]);

        public void Dispose() => dir.Dispose();
    }

    [Fact]
    public void LanguageNetworkUsesTheMaskLocalizeCached()
    {
        using var cached = new CachedModel();
        var language = cached.Run("--network", "language");
        var explicitMask = cached.Run("--mask", FixtureMask("gpt2"));
        var none = cached.Run("--network", "none");
        Assert.Equal(0, language.ExitCode);
        Assert.Equal(explicitMask.Stdout, language.Stdout);
        Assert.NotEqual(none.Stdout, language.Stdout);
        Assert.Equal(Decode("gpt2", ReadExpected("gpt2").LesionGreedy) + Environment.NewLine, language.Stdout);
        Assert.Contains("tiny-gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy", language.Stderr);
    }

    [Fact]
    public void CacheKeyMatchesLocalizeFileName()
    {
        var request = new LesionRequest
        {
            Model = new("meta-llama/Llama-3.2-1B"), Condition = Networks.Language,
            Mask = new() { Percentage = 0.5, Range = global::LlmLoc.Masks.LocalizeRange.Parse("80-90") },
        };
        Assert.Equal("Llama-3.2-1B_network=language_pooling=last-token_range=80-90_perc=0.5_nunits=None_pretrained=True.npy", request.Key.MaskFileName);
        Assert.Equal("Llama-3.2-1B_network=language_pooling=last-token_range=80-90_perc=0.5_nunits=None_pretrained=False.npy",
            (request with { Model = request.Model with { Untrained = true } }).Key.MaskFileName);
        // A random control reads the --random-like network's mask.
        Assert.Equal("Llama-3.2-1B_network=theory-of-mind_pooling=last-token_range=80-90_perc=0.5_nunits=None_pretrained=True.npy",
            (request with { Condition = Networks.Random, RandomLike = Networks.TheoryOfMind }).Key.MaskFileName);
    }

    [Fact]
    public void RandomControlHasAsManyUnitsOutsideTheLanguageMaskAndIsSeeded()
    {
        using var cached = new CachedModel();
        var request = new LesionRequest { Model = new(cached.Model), Mask = new() { Percentage = 1, CacheDir = cached.Cache }, Condition = Networks.Random, Seed = 7 };
        var language = UnitMask.Load(FixtureMask("gpt2"));
        var random = LesionMaskResolver.Resolve(request).Mask!;

        Assert.Equal(language.Count, random.Count);
        Assert.DoesNotContain(Enumerable.Range(0, random.Values.Length), i => random.Values[i] == 1 && language.Values[i] == 1);
        Assert.Equal(UnitSelection.RandomLesionMask(language.Values, 7), random.Values);
        Assert.NotEqual(random.Values, LesionMaskResolver.Resolve(request with { Seed = 8 }).Mask!.Values);

        // The CLI lesions exactly that mask.
        using var dir = new TempDir();
        random.Save(dir.File("random.npy"));
        var viaNetwork = cached.Run("--network", "random", "--seed", "7");
        var viaFile = cached.Run("--mask", dir.File("random.npy"), "--seed", "7");
        Assert.Equal(0, viaNetwork.ExitCode);
        Assert.Equal(viaFile.Stdout, viaNetwork.Stdout);
        Assert.Contains("network random: lesioning 5 units", viaNetwork.Stderr);
    }

    [Fact]
    public void NoneNeedsNoMask()
    {
        var resolved = LesionMaskResolver.Resolve(new LesionRequest
        {
            Model = new("tiny-gpt2"), Mask = new() { Percentage = 1, CacheDir = "/nonexistent" }, Condition = Networks.None,
        });
        Assert.Null(resolved.Mask);
    }
}
