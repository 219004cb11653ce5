using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Numerics;

namespace LlmLoc.Tests.Localization;

/// <summary>
/// Custom localizers and the MLP site from the CLI, on the tiny GPT-2 fixture: the exported language localizer
/// reproduces the built-in bit for bit, masks are named and shaped by their site, lookups by file or bare name, and
/// bad input fails in one line before any model work.
/// </summary>
public sealed class CustomLocalizerTests : IDisposable
{
    readonly TempDir dir = new();
    readonly string model;
    string Cache => dir.File("cache");
    static string Stimuli => Shared.Path_("stimuli");

    public CustomLocalizerTests()
    {
        model = dir.File("tiny-gpt2");
        Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
    }

    public void Dispose() => dir.Dispose();

    CliRunner.Result Run(params string[] args) => CliRunner.Run(args);

    string Localize(params string[] extra)
    {
        var result = Run(["localize", "--model-name", model, "--stimuli-dir", Stimuli, "--cache-dir", Cache, "--device", "cpu", "--percentage", "5", .. extra]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout;
    }

    string Export(string network, params string[] extra)
    {
        string output = dir.File($"export-{network}");
        var result = Run(["stimuli", "export", "--network", network, "--out", output, "--stimuli-dir", Stimuli, .. extra]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Split('\n')[0].Trim();
    }

    /// <summary>A small custom localizer (fast to run): the first items of the language localizer's two conditions.</summary>
    string SmallDefinition(string folder, string name, int items, int skip = 0)
    {
        var language = LlmLoc.Stimuli.LanguageStimuli.Load(Stimuli);
        Directory.CreateDirectory(dir.File(folder));
        File.WriteAllLines(Path.Combine(dir.File(folder), "s.txt"), language.Positive.Skip(skip).Take(items));
        File.WriteAllLines(Path.Combine(dir.File(folder), "n.txt"), language.Negative.Skip(skip).Take(items));
        string path = Path.Combine(dir.File(folder), name + ".toml");
        File.WriteAllText(path, $"name = \"{name}\"\npositive = \"s.txt\"\nnegative = \"n.txt\"\nmax_tokens = 12\n");
        return path;
    }

    [Fact]
    public void TheExportedLanguageLocalizerGivesTheBuiltInsTValuesAndMaskBitForBit()
    {
        string definition = Export("language");
        Localize();
        string stdout = Localize("--localizer", definition);
        string builtInT = Path.Combine(Cache, "tiny-gpt2_network=language_pooling=last-token_pretrained=True_tvalues.npy");
        string builtInMask = Path.Combine(Cache, "tiny-gpt2_network=language_pooling=last-token_range=100-100_perc=5.0_nunits=None_pretrained=True.npy");
        string customT = Assert.Single(Directory.GetFiles(Cache, "tiny-gpt2_network=language-copy-*_pooling=last-token_pretrained=True_tvalues.npy"));
        string network = Path.GetFileName(customT)["tiny-gpt2_network=".Length..].Split("_pooling")[0];
        Assert.Matches("^language-copy-[0-9a-f]{8}$", network);
        Assert.Contains($"> Network: {network}, pooling: last-token", stdout);
        Assert.Equal(File.ReadAllBytes(builtInT), File.ReadAllBytes(customT));
        Assert.Equal(File.ReadAllBytes(builtInMask), File.ReadAllBytes(builtInMask.Replace("network=language_", $"network={network}_")));
        // The hash is over the ids the model read: the built-in's items through the fixture's tokenizer, cut to 12.
        var tokenizer = LlmLoc.Tokenization.HfTokenizer.FromFolder(model);
        var items = LlmLoc.Stimuli.LanguageStimuli.Load(Stimuli);
        Assert.Equal(network, CustomNetworks.NetworkName("language-copy",
            items.Positive.Select(t => tokenizer.Encode(t, maxLength: 12)).ToList(), items.Negative.Select(t => tokenizer.Encode(t, maxLength: 12)).ToList()));
    }

    [Fact]
    public void AnExactCopyNamedLanguageSharesTheBuiltInsCacheEntry()
    {
        string definition = Export("language", "--name", "language");
        Localize();
        string mask = Assert.Single(Directory.GetFiles(Cache, "*range*"));
        Assert.Contains("> Loading cached mask", Localize("--localizer", definition));
        Assert.Single(Directory.GetFiles(Cache, "*range*"));
        Assert.EndsWith("network=language_pooling=last-token_range=100-100_perc=5.0_nunits=None_pretrained=True.npy", mask);
    }

    [Fact]
    public void TheMlpSiteHasItsOwnNamesAndTheMlpWidth()
    {
        string stdout = Localize("--site", "mlp");
        Assert.Contains("> Model: " + model + " (3 layers × 192 MLP units)", stdout);
        string mask = Path.Combine(Cache, "tiny-gpt2_network=language_pooling=last-token_site=mlp_range=100-100_perc=5.0_nunits=None_pretrained=True.npy");
        Assert.Equal([3, 192], Npy.Read(mask).Shape);
        Assert.Equal(28, UnitMask.Load(mask).Count); // int(5 / 100 · 3 · 192)
        Assert.Equal([3, 192], Npy.Read(Path.Combine(Cache, "tiny-gpt2_network=language_pooling=last-token_site=mlp_pretrained=True_pvalues.npy")).Shape);
        Assert.Equal([3, 192], Npy.Read(Path.Combine(Cache, "tiny-gpt2_network=language_pooling=last-token_site=mlp_pretrained=True_tvalues.npy")).Shape);
        Assert.Equal(3, Directory.GetFiles(Cache).Length);
    }

    [Fact]
    public void GenerateLesionAblatesTheMlpMaskAndTheCustomMaskByFileOrName()
    {
        string definition = SmallDefinition("small", "small-lang", items: 12);
        Localize("--site", "mlp");
        Localize("--localizer", definition);
        string[] common = ["generate-lesion", "--model-name", model, "--cache-dir", Cache, "--percentage", "5", "--prompt", "The quick brown fox", "--greedy", "--device", "cpu"];

        // --site mlp: the cached MLP mask, zeroed at the MLP site, as the library's lesion of that mask.
        var mlp = Run([.. common, "--site", "mlp"]);
        Assert.True(mlp.ExitCode == 0, mlp.Stderr);
        Assert.Contains("lesioning 28 MLP units of a (3, 192) mask", mlp.Stderr);
        string mlpMask = Path.Combine(Cache, "tiny-gpt2_network=language_pooling=last-token_site=mlp_range=100-100_perc=5.0_nunits=None_pretrained=True.npy");
        Assert.Equal(Greedy(UnitMask.Load(mlpMask), UnitSite.Mlp) + Environment.NewLine, mlp.Stdout);
        Assert.NotEqual(Greedy(null, UnitSite.Residual) + Environment.NewLine, mlp.Stdout);

        // --localizer FILE and --localizer NAME find the same custom mask.
        var byFile = Run([.. common, "--localizer", definition]);
        var byName = Run([.. common, "--localizer", "small-lang"]);
        Assert.True(byFile.ExitCode == 0, byFile.Stderr);
        Assert.Equal(byFile.Stdout, byName.Stdout);
        string customMask = Assert.Single(Directory.GetFiles(Cache, "tiny-gpt2_network=small-lang-*_range=*"));
        Assert.Contains($"network small-lang: lesioning {UnitMask.Load(customMask).Count} units of a (3, 48) mask from {customMask}", byName.Stderr);
        Assert.Equal(Greedy(UnitMask.Load(customMask), UnitSite.Residual) + Environment.NewLine, byFile.Stdout);
    }

    string Greedy(UnitMask? mask, UnitSite site)
    {
        using var loaded = ModelLoader.Load(model, new LoadOptions());
        var tokenizer = LlmLoc.Tokenization.HfTokenizer.FromFolder(model);
        long[] prompt = [.. tokenizer.Encode("The quick brown fox").Select(i => (long)i)];
        var atSite = mask is null ? null : new UnitMask(mask.Values, mask.Layers, mask.Hidden) { Site = site };
        var ids = LesionedGeneration.Generate(loaded, prompt, atSite, new LlmLoc.Generation.GenerationSettings { MaxLength = 20, DoSample = false }).Single();
        return tokenizer.Decode(ids.Select(i => (int)i), skipSpecialTokens: true);
    }

    [Fact]
    public void ABareNameWithSeveralCachedDefinitionsListsThemAndTheFilePicksOne()
    {
        string first = SmallDefinition("a", "twin", items: 8), second = SmallDefinition("b", "twin", items: 8, skip: 8);
        Localize("--localizer", first);
        Localize("--localizer", second);
        var masks = Directory.GetFiles(Cache, "tiny-gpt2_network=twin-*_range=*").Select(Path.GetFileName).ToList();
        Assert.Equal(2, masks.Count);

        var plot = Run("plot", "--model-name", model, "--cache-dir", Cache, "--percentage", "5", "--localizer", "twin", "--output", dir.File("figs"));
        Assert.Equal(ExitCodes.Usage, plot.ExitCode);
        string line = Assert.Single(plot.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("2 localizers named 'twin' are cached", line);
        foreach (string? mask in masks) Assert.Contains(mask!["tiny-gpt2_network=".Length..].Split("_pooling")[0], line);

        var byFile = Run("plot", "--model-name", model, "--cache-dir", Cache, "--percentage", "5", "--localizer", second, "--output", dir.File("figs"), "--site", "resid");
        Assert.True(byFile.ExitCode == 0, byFile.Stderr);
        Assert.Contains("heatmap_model=tiny-gpt2_network=twin_pooling=last-token_range=100-100_perc=5.0_pretrained=True.png", byFile.Stdout);
    }

    [Fact]
    public void PlotDrawsTheMlpMaskUnderItsSitesName()
    {
        Localize("--site", "mlp");
        var result = Run("plot", "--model-name", model, "--cache-dir", Cache, "--percentage", "5", "--site", "mlp", "--output", dir.File("figs"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("heatmap_model=tiny-gpt2_network=language_pooling=last-token_site=mlp_range=100-100_perc=5.0_pretrained=True.svg", result.Stdout);
        Assert.Contains("tvalues_model=tiny-gpt2_network=language_pooling=last-token_site=mlp_range=100-100", result.Stdout);
        string svg = File.ReadAllText(Assert.Single(Directory.GetFiles(dir.File("figs"), "heatmap*.svg")));
        Assert.Contains("% of MLP units selected", svg);
        // Per layer: the share of that layer's 192 MLP units (6, 13, 9 of them).
        var mask = UnitMask.Load(Path.Combine(Cache, "tiny-gpt2_network=language_pooling=last-token_site=mlp_range=100-100_perc=5.0_nunits=None_pretrained=True.npy"));
        for (int layer = 0; layer < 3; layer++)
        {
            long selected = Enumerable.Range(0, 192).Sum(u => mask[layer, u]);
            Assert.Contains($"{100.0 * selected / 192:F1} %", svg);
        }
    }

    public static TheoryData<string[], int, string> BadInputs => new()
    {
        { ["--localizer", "nowhere/def.toml"], 2, "does not exist" },
        { ["--localizer", "bad name"], 1, "is neither a built-in localizer" },
        { ["--localizer", "some-name"], 1, "localize needs the definition file" },
        { ["--site", "attn"], 1, "attn" },
        { ["--localizer", "language", "--network", "theory-of-mind"], 1, "name different localizers" },
    };

    /// <summary>The model name points nowhere: an error about the model would mean model work started first.</summary>
    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadLocalizerInputFailsInOneLineBeforeAnyModelWork(string[] args, int exitCode, string message)
    {
        var result = Run(["localize", "--model-name", dir.File("no-model"), "--cache-dir", Cache, "--percentage", "1", .. args]);
        Assert.Equal(exitCode, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("llmloc: error: ", line);
        Assert.Contains(message, line);
        Assert.False(Directory.Exists(Cache));
    }

    [Fact]
    public void AOneItemConditionAndAnEditedBuiltInNameFailBeforeAnyModelWork()
    {
        string definition = SmallDefinition("one", "one-item", items: 1);
        var result = Run("localize", "--model-name", dir.File("no-model"), "--cache-dir", Cache, "--percentage", "1", "--localizer", definition);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("holds 1 item", result.Stderr);

        string renamed = SmallDefinition("lang", "language", items: 5);
        result = Run("localize", "--model-name", dir.File("no-model"), "--cache-dir", Cache, "--percentage", "1", "--localizer", renamed, "--stimuli-dir", Stimuli);
        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("is named 'language' like the built-in, but its items differ", line);
        Assert.False(Directory.Exists(Cache));
    }
}
