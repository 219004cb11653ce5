using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LlmLoc.Tests.Localization;

/// <summary>
/// The original localize() ran end to end on the tiny GPT-2 fixture (named tiny-gpt2) with the real stimuli
/// (shared/fixtures/localize-e2e). llmloc, run from its CLI on the same folder, must write the same files:
/// identical masks, the same names, p-values and t-values within the fixture's tolerances.
/// </summary>
public sealed class LocalizeEndToEndTests : IDisposable
{
    readonly ITestOutputHelper output;
    readonly TempDir dir = new();
    readonly string model;

    public LocalizeEndToEndTests(ITestOutputHelper output)
    {
        this.output = output;
        model = Path.Combine(dir.Path, "tiny-gpt2");
        Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
    }

    public void Dispose() => dir.Dispose();

    static string Expected(string name) => Shared.Fixture("localize-e2e", "cache", name);

    string Localize(string cache, params string[] extra)
    {
        var result = CliRunner.Run(["localize", "--model-name", model, "--stimuli-dir", Shared.Path_("stimuli"),
            "--cache-dir", cache, "--device", "cpu", .. extra]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout;
    }

    [Theory]
    [InlineData("language", "last-token", "100-100", "--percentage", "1")]
    [InlineData("language", "last-token", "80-90", "--percentage", "1")]
    [InlineData("language", "mean", "100-100", "--percentage", "1")]
    [InlineData("language", "last-token", "0-0", "--percentage", "1")]
    [InlineData("theory-of-mind", "last-token", "100-100", "--percentage", "1")]
    [InlineData("multiple-demand", "last-token", "100-100", "--percentage", "1")]
    [InlineData("language", "last-token", "0-0", "--num-units", "10")]
    [InlineData("language", "last-token", "80-90", "--num-units", "10")]
    public void ReproducesTheOriginalsCacheFiles(string network, string pooling, string range, string unitsFlag, string units)
    {
        string cache = Path.Combine(dir.Path, "cache");
        Localize(cache, "--network", network, "--pooling", pooling, "--localize-range", range, unitsFlag, units);

        string perc = unitsFlag == "--percentage" ? "1.0" : "None", nunits = unitsFlag == "--num-units" ? units : "None";
        string maskName = $"tiny-gpt2_network={network}_pooling={pooling}_range={range}_perc={perc}_nunits={nunits}_pretrained=True.npy";
        string pName = $"tiny-gpt2_network={network}_pooling={pooling}_pretrained=True_pvalues.npy";
        Assert.Equal(File.ReadAllBytes(Expected(maskName)), File.ReadAllBytes(Path.Combine(cache, maskName)));

        // p: the port runs the model itself (float32 noise ~1e-6 in activations), so p is compared in log10.
        double[] p = Npy.Read(Path.Combine(cache, pName)).ToDoubles(), pRef = Npy.Read(Expected(pName)).ToDoubles();
        double worstLog = p.Zip(pRef, (a, b) => Math.Abs(Math.Log10(a) - Math.Log10(b))).Max();
        double worstRel = p.Zip(pRef, (a, b) => Math.Abs(a - b) / Math.Abs(b)).Max();
        output.WriteLine($"{network}/{pooling}: max |log10 p - log10 p_ref| = {worstLog:E2}, max rel = {worstRel:E2}");
        Assert.True(worstLog <= 1e-3, $"p-values differ: {worstLog}");

        string tFolder = Shared.Fixture("localize-e2e", network, pooling, "t_values.npy");
        double[] t = Npy.Read(Path.Combine(cache, pName.Replace("_pvalues", "_tvalues"))).ToDoubles(), tRef = Npy.Read(tFolder).ToDoubles();
        Assert.All(t.Zip(tRef), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-3 * Math.Abs(pair.Second) + 1e-9, $"t {pair.First} vs {pair.Second}"));
    }

    [Fact]
    public void BatchSizeDoesNotChangeTheResult()
    {
        string one = Path.Combine(dir.Path, "b1"), many = Path.Combine(dir.Path, "b16");
        foreach (var pooling in new[] { "last-token", "mean" })
        {
            Localize(one, "--percentage", "5", "--pooling", pooling, "--batch-size", "1");
            Localize(many, "--percentage", "5", "--pooling", pooling, "--batch-size", "16");
        }
        foreach (var file in Directory.GetFiles(one, "*range*"))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(many, Path.GetFileName(file))));
        foreach (var file in Directory.GetFiles(one, "*_tvalues.npy"))
        {
            double[] a = Npy.Read(file).ToDoubles(), b = Npy.Read(Path.Combine(many, Path.GetFileName(file))).ToDoubles();
            Assert.All(a.Zip(b), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-4 * (1 + Math.Abs(pair.Second))));
        }
    }

    [Fact]
    public void CachedMaskIsReusedUnlessOverwrite()
    {
        string cache = Path.Combine(dir.Path, "cache");
        Localize(cache, "--percentage", "1");
        string mask = Directory.GetFiles(cache, "*range=100-100*").Single();
        File.SetLastWriteTimeUtc(mask, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Contains("cached", Localize(cache, "--percentage", "1"));
        Assert.Equal(2001, File.GetLastWriteTimeUtc(mask).Year);
        Localize(cache, "--percentage", "1", "--overwrite");
        Assert.NotEqual(2001, File.GetLastWriteTimeUtc(mask).Year);
    }

    [Fact]
    public async Task StatsOutHoldsOneRowPerUnit()
    {
        string cache = Path.Combine(dir.Path, "cache"), table = Path.Combine(dir.Path, "stats.parquet");
        string stdout = Localize(cache, "--percentage", "1", "--stats-out", table);
        Assert.Contains($"> Saved per-unit statistics to {table}", stdout);
        Assert.Contains($"> Saved t-values to {Path.Combine(cache, "tiny-gpt2_network=language_pooling=last-token_pretrained=True_tvalues.npy")}", stdout);
        var rows = await LlmLoc.Localization.StatsTable.ReadAsync(table);
        Assert.Equal(3 * 48, rows.Count);
        double[] tRef = Npy.Read(Shared.Fixture("localize-e2e", "language", "last-token", "t_values.npy")).ToDoubles();
        long[] maskRef = Npy.Read(Expected("tiny-gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy")).ToInt64s();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal((i / 48, i % 48), (rows[i].Layer, rows[i].Unit));
            Assert.Equal(tRef[i], rows[i].T, 1e-3 * Math.Abs(tRef[i]));
            Assert.Equal(maskRef[i] == 1, rows[i].Selected);
        }
    }

    [Fact]
    public async Task StatsOutAsCsvHoldsTheParquetTablesValues()
    {
        string cache = Path.Combine(dir.Path, "cache"), parquet = Path.Combine(dir.Path, "stats.parquet"), csv = Path.Combine(dir.Path, "stats.csv");
        Localize(cache, "--percentage", "1", "--stats-out", parquet);
        Localize(cache, "--percentage", "1", "--stats-out", csv);
        var rows = await LlmLoc.Localization.StatsTable.ReadAsync(parquet);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal("layer,unit,t,p,p_fdr,selected", lines[0]);
        Assert.Equal(rows.Count + 1, lines.Length);
        for (int i = 0; i < rows.Count; i++)
        {
            string[] f = lines[i + 1].Split(',');
            var r = rows[i];
            Assert.Equal((r.Layer, r.Unit), (int.Parse(f[0]), int.Parse(f[1])));
            // Python's repr of a float: the same double back.
            Assert.Equal(r.T, double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(r.PFdr, double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(r.Selected ? "True" : "False", f[5]);
        }
        // Any other extension is a usage error before the model loads; nothing is written.
        var bad = LlmLoc.Tests.Localization.CliRunner.Run("localize", "--model-name", "no-such-model", "--percentage", "1", "--stats-out", Path.Combine(dir.Path, "stats.txt"), "--cache-dir", cache);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("a table is written as .csv or .parquet", bad.Stderr);
        Assert.False(File.Exists(Path.Combine(dir.Path, "stats.txt")));
    }
}
