using System.Xml.Linq;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Localization;

public sealed class PlotCommandTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    const string Settings = "network=language_pooling=last-token_range=100-100_perc=5.0";

    static void AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    static List<string> SvgTexts(string path) =>
        XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();

    [Fact]
    public void PlotsTheCachedMaskAndTheTHistogramAfterLocalize()
    {
        string model = Path.Combine(dir.Path, "tiny-gpt2"), cache = Path.Combine(dir.Path, "cache");
        Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
        Assert.Equal(0, CliRunner.Run("localize", "--model-name", model, "--percentage", "5", "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", cache, "--device", "cpu").ExitCode);

        var result = CliRunner.Run("plot", "--model-name", model, "--percentage", "5", "--cache-dir", cache);
        Assert.True(result.ExitCode == 0, result.Stderr);
        string heatmap = Path.Combine(cache, $"heatmap_model=tiny-gpt2_{Settings}_pretrained=True");
        string histogram = Path.Combine(cache, $"tvalues_model=tiny-gpt2_{Settings}_nunits=None_pretrained=True");
        Assert.Equal([heatmap + ".png", heatmap + ".svg", histogram + ".png", histogram + ".svg"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        AssertPng(heatmap + ".png");
        Assert.Contains("tiny-gpt2", SvgTexts(heatmap + ".svg"));
        AssertPng(histogram + ".png");

        // The same model twice: two columns, but one histogram, listed once.
        var twice = CliRunner.Run("plot", "--model-name", model, "--model-name", model, "--percentage", "5", "--cache-dir", cache);
        Assert.True(twice.ExitCode == 0, twice.Stderr);
        string heatmapTwice = Path.Combine(cache, $"heatmap_model=tiny-gpt2+tiny-gpt2_{Settings}_pretrained=True");
        Assert.Equal([heatmapTwice + ".png", heatmapTwice + ".svg", histogram + ".png", histogram + ".svg"], twice.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void UntrainedMasksAreFoundAndOutputIsAFolderForAllFiles()
    {
        string cache = dir.File("cache"), output = dir.File("figs");
        Directory.CreateDirectory(cache);
        File.Copy(Shared.Fixture("npy", "mask_int64_12x768.npy"),
            Path.Combine(cache, "gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=False.npy"));

        var missing = CliRunner.Run("plot", "--model-name", "gpt2", "--cache-dir", cache);
        Assert.Equal(2, missing.ExitCode);
        // The trained mask is not there; the untrained one is, and the error says how to select it.
        Assert.Contains("--percentage 1.0 --network language --pooling last-token --localize-range 100-100", missing.Stderr);
        Assert.Contains("_pretrained=False.npy (select it with --untrained)", missing.Stderr);

        var result = CliRunner.Run("plot", "--model-name", "gpt2", "--untrained", "--cache-dir", cache, "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        AssertPng(Path.Combine(output, "heatmap_model=gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_pretrained=False.png"));
        Assert.Equal(Path.Combine(cache, "gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=False.npy"),
            Directory.GetFiles(cache).Single());
    }

    [Fact]
    public void PlotsMaskFilesLabelledByTheirModel()
    {
        string a = dir.File("Llama-3.2-1B_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy");
        File.Copy(Shared.Fixture("npy", "mask_int64_12x768.npy"), a);
        var result = CliRunner.Run("plot", "--mask", a, "--mask", Shared.Fixture("npy", "mask_int64_12x768.npy"), "--output", dir.File("figs"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        string heatmap = Path.Combine(dir.File("figs"), "heatmap_mask=Llama-3.2-1B+mask_int64_12x768");
        AssertPng(heatmap + ".png");
        var texts = SvgTexts(heatmap + ".svg");
        Assert.Contains("Llama-3.2-1B", texts);
        Assert.Contains("mask_int64_12x768", texts);
    }

    [Fact]
    public void PlotsOneColumnPerRowOfASweepSummary()
    {
        string cacheFixture = Shared.Fixture("localize-e2e", "cache");
        string Mask(string network) => Path.Combine(cacheFixture, $"tiny-gpt2_network={network}_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy");
        Directory.CreateDirectory(dir.File("masks"));
        File.Copy(Mask("language"), dir.File("masks/gpt2-like.npy"));
        File.WriteAllText(dir.File("summary.csv"),
            "model,network,pooling,range,percentage,num_units,pretrained,units,path,seconds\n" +
            "org/tiny-gpt2,language,last-token,100-100,1.0,,True,1,masks/gpt2-like.npy,3\n" +         // relative to the CSV
            $"tiny-gpt2,multiple-demand,last-token,100-100,1.0,,True,1,{Mask("multiple-demand")},4\n");
        var result = CliRunner.Run("plot", "--from-summary", dir.File("summary.csv"), "--output", dir.File("figs"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        string heatmap = Path.Combine(dir.File("figs"), "heatmap_summary=summary");
        AssertPng(heatmap + ".png");
        var texts = SvgTexts(heatmap + ".svg");
        // One model twice: the differing setting tells the columns apart.
        Assert.Contains("tiny-gpt2 (language)", texts);
        Assert.Contains("tiny-gpt2 (multiple-demand)", texts);
        Assert.Equal(2 * 3, texts.Count(t => t.EndsWith(" %")));

        File.WriteAllText(dir.File("bad.csv"), "model,network,path\ngpt2,language,x.npy\n");
        var bad = CliRunner.Run("plot", "--from-summary", dir.File("bad.csv"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("has no 'pooling' column", bad.Stderr);

        // Settings become parts of file names: a row whose network could climb out of the folders is refused, no figure written.
        File.WriteAllText(dir.File("hostile.csv"),
            "model,network,pooling,range,percentage,num_units,pretrained,units,path,seconds\n" +
            "tiny-gpt2,../../escape,last-token,100-100,1.0,,True,1,masks/gpt2-like.npy,3\n");
        var hostile = CliRunner.Run("plot", "--from-summary", dir.File("hostile.csv"), "--output", dir.File("figs2"));
        Assert.Equal(ExitCodes.InputError, hostile.ExitCode);
        Assert.Contains("line 2: network '../../escape'", hostile.Stderr);
        Assert.False(Directory.Exists(dir.File("figs2")) && Directory.EnumerateFileSystemEntries(dir.File("figs2")).Any());
    }

    /// <summary>Figures appear together or not at all: a histogram that cannot be drawn (t-values all NaN) leaves no
    /// heatmap either, and no temporary file.</summary>
    [Fact]
    public void AFailingFigureLeavesNoFigure()
    {
        string cache = dir.File("cache"), output = dir.File("figs");
        Directory.CreateDirectory(cache);
        string stem = "gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=False";
        File.Copy(Shared.Fixture("npy", "mask_int64_12x768.npy"), Path.Combine(cache, stem + ".npy"));
        LlmLoc.Numerics.Npy.Write(Path.Combine(cache, "gpt2_network=language_pooling=last-token_pretrained=False_tvalues.npy"), Enumerable.Repeat(double.NaN, 12 * 768).ToArray(), 12, 768);

        var result = CliRunner.Run("plot", "--model-name", "gpt2", "--untrained", "--cache-dir", cache, "--output", output);
        Assert.Equal(LlmLoc.ExitCodes.InputError, result.ExitCode);
        Assert.Contains("no finite t-values", result.Stderr);
        Assert.Empty(Directory.Exists(output) ? Directory.GetFiles(output) : []);
    }

    /// <summary>Many masks: every label goes into the heatmap's name, so it is cut to fit NAME_MAX (255 bytes) with a
    /// hash of the whole name — the same every run, different for a different set of masks.</summary>
    [Fact]
    public void ManyMasksGiveAShortStableDistinctName()
    {
        var masks = Enumerable.Range(0, 12).Select(i => dir.File($"a-rather-long-mask-name-{i:D2}-from-an-earlier-experiment.npy")).ToList();
        foreach (var mask in masks) File.Copy(Shared.Fixture("npy", "mask_int64_12x768.npy"), mask);
        string[] Plot(IEnumerable<string> chosen, string folder)
        {
            var result = CliRunner.Run(["plot", .. chosen.SelectMany(m => new[] { "--mask", m }), "--output", dir.File(folder)]);
            Assert.True(result.ExitCode == 0, result.Stderr);
            return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        string[] all = Plot(masks, "one"), again = Plot(masks, "two"), fewer = Plot(masks.Skip(1), "three");
        string name = Path.GetFileName(all[0]);
        Assert.Matches(@"^heatmap_mask=a-rather-long-mask-name-00-from-an-earlier-experiment\+a-rather-.*_[0-9a-f]{12}\.png$", name);
        Assert.Equal(LlmLoc.Plotting.PlotRun.MaxStemBytes + ".png".Length, System.Text.Encoding.UTF8.GetByteCount(name));
        Assert.Equal(name, Path.GetFileName(again[0]));
        Assert.NotEqual(name, Path.GetFileName(fewer[0]));
        AssertPng(all[0]);
        // A name that fits is kept as it is; a cut never splits a multi-byte character.
        Assert.Equal("heatmap_mask=a-rather-long-mask-name-00-from-an-earlier-experiment.png", Path.GetFileName(Plot(masks.Take(1), "four")[0]));
        string accented = LlmLoc.Plotting.PlotRun.FileStem(new string('é', 200));
        Assert.Matches("^é{68}_[0-9a-f]{12}$", accented); // 68 × 2 bytes + 13 ≤ 150
    }

    [Theory]
    [InlineData("--pooling", "max", "Argument 'max' not recognized")]
    [InlineData("--percentage", "0", "--percentage 0 is out of range")]
    [InlineData("--localize-range", "90-80", "inverted")]
    public void FlagsAreCheckedAsLocalizeChecksThem(string flag, string value, string expected)
    {
        var result = CliRunner.Run("plot", "--model-name", "gpt2", flag, value, "--cache-dir", dir.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public void MissingCachedMaskNamesTheLocalizeCommand()
    {
        var result = CliRunner.Run("plot", "--model-name", "gpt2-xl", "--untrained", "--cache-dir", dir.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"llmloc localize --model-name gpt2-xl --percentage 1.0 --network language --pooling last-token --localize-range 100-100 --cache-dir {dir.Path} --untrained", result.Stderr);
    }

    /// <summary>--network is an open set (user-named localizers): a name nothing was localized for is a missing mask,
    /// and a near miss of a known network says which.</summary>
    [Fact]
    public void AMistypedNetworkGetsTheNearestKnownOne()
    {
        var result = CliRunner.Run("plot", "--model-name", "gpt2", "--network", "lang", "--cache-dir", dir.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no cached lang mask", result.Stderr);
        Assert.Contains("did you mean --network language?", result.Stderr);
        var bad = CliRunner.Run("plot", "--model-name", "gpt2", "--network", "../language", "--cache-dir", dir.Path);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("is not a network name", bad.Stderr);
    }
}
