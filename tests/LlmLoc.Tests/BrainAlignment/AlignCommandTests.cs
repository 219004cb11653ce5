using System.Globalization;
using LlmLoc.BrainAlignment;
using LlmLoc.Numerics;
using LlmLoc.Statistics;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;
using MathNet.Numerics.LinearAlgebra;

namespace LlmLoc.Tests.BrainAlignment;

/// <summary>llmloc align end to end on synthetic data whose responses depend only on the language units.</summary>
public class AlignCommandTests
{
    internal const int Items = 60, Layers = 3, Hidden = 48, Voxels = 6;
    internal static string MaskFile => Shared.Fixture("models", "gpt2", "lesion_mask.npy"); // 5 units of (3, 48)

    /// <summary>Activations [60 × 3 × 48] of a seeded random stream; responses = language units × weights + uniform noise
    /// of width <paramref name="noise"/>.</summary>
    internal static (string Activations, string Responses, float[] X, double[] Y) Write(TempDir dir, int seed = 7, double noise = 0.05)
    {
        var rng = new Random(seed);
        float[] x = Enumerable.Range(0, Items * Layers * Hidden).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        long[] mask = Npy.Read(MaskFile).ToInt64s();
        int[] language = Enumerable.Range(0, mask.Length).Where(i => mask[i] != 0).ToArray();
        var y = new double[Items * Voxels];
        for (int i = 0; i < Items; i++)
            for (int v = 0; v < Voxels; v++)
                y[i * Voxels + v] = language.Select((u, k) => x[i * Layers * Hidden + u] * (1 + ((k + v) % 3))).Sum() + noise * (rng.NextDouble() - 0.5);
        Npy.Write(dir.File("acts.npy"), x, Items, Layers, Hidden);
        Npy.Write(dir.File("y.npy"), y, Items, Voxels);
        return (dir.File("acts.npy"), dir.File("y.npy"), x, y);
    }

    [Fact]
    public async Task LanguageUnitsPredictTheirOwnResponsesBetterThanRandomUnits()
    {
        using var dir = new TempDir();
        var (acts, y, x, responses) = Write(dir);
        var run = CliRunner.Run("align", "--activations", acts, "--responses", y, "--mask", MaskFile, "--random-seeds", "3",
            "--layer", "2", "--method", "ridge", "--json", dir.File("a.json"), "--parquet", dir.File("a.parquet"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("random sets scoring at least the language units: 0 of 3", run.Stdout);

        var doc = TestJson.Read<AlignReport.Document>(dir.File("a.json"));
        Assert.Equal(["language", "random", "random", "random", "layer"], doc.Conditions.Select(c => c.Condition));
        Assert.Equal([42, 43, 44], doc.Conditions.Where(c => c.Condition == "random").Select(c => c.Seed!.Value));
        Assert.All(doc.Conditions.Take(4), c => Assert.Equal(5, c.Units));
        Assert.Equal(Hidden, doc.Conditions[^1].Units);
        Assert.True(doc.Conditions[0].Score > 0.99, $"language score {doc.Conditions[0].Score}");
        Assert.All(doc.Conditions.Skip(1).Take(3), c => Assert.True(c.Score < 0.5, $"random score {c.Score}"));

        // The language condition's numbers are those of the routine on the mask's columns, fold by fold.
        long[] mask = Npy.Read(MaskFile).ToInt64s();
        int[] columns = Enumerable.Range(0, mask.Length).Where(i => mask[i] != 0).ToArray();
        var xm = Matrix<double>.Build.Dense(Items, columns.Length, (i, j) => x[i * Layers * Hidden + columns[j]]);
        var ym = Matrix<double>.Build.Dense(Items, Voxels, (i, j) => responses[i * Voxels + j]);
        var direct = LinearPredictivity.CrossValidate(xm, ym, LinearPredictivity.KFoldTestSets(Items, 10, 0), RegressionMethod.Ridge);
        Assert.Equal(direct.Score, doc.Conditions[0].Score);
        Assert.Equal(direct.Folds.Select(f => f.Alpha), doc.Conditions[0].Groups[0].Folds.Select(f => f.Alpha));

        // The random sets are generate-lesion's random control for those seeds.
        var random43 = UnitSelection.RandomLesionMask(mask, 43);
        var xr = Matrix<double>.Build.Dense(Items, 5, (i, j) => x[i * Layers * Hidden + Enumerable.Range(0, random43.Length).Where(u => random43[u] != 0).ElementAt(j)]);
        Assert.Equal(LinearPredictivity.CrossValidate(xr, ym, LinearPredictivity.KFoldTestSets(Items, 10, 0), RegressionMethod.Ridge).Score, doc.Conditions[2].Score);

        var rows = (await Parquet.Serialization.ParquetSerializer.DeserializeAsync<AlignReport.Row>(dir.File("a.parquet"))).Data;
        Assert.Equal(5 * 10 * Voxels, rows.Count);
        Assert.Equal(doc.Conditions[0].Groups[0].Folds[3].R[2], rows.Single(r => r.condition == "language" && r.fold == 3 && r.column == 2).r);
    }

    [Fact]
    public void CachedMaskOfModelNameIsUsedAndCsvResponsesWork()
    {
        using var dir = new TempDir();
        var (acts, _, _, responses) = Write(dir);
        string cache = dir.File("cache");
        Directory.CreateDirectory(cache);
        File.Copy(MaskFile, Path.Combine(cache, "tiny_network=language_pooling=last-token_range=100-100_perc=5.0_nunits=None_pretrained=True.npy"));
        var lines = new List<string> { string.Join(',', Enumerable.Range(0, Voxels).Select(v => $"voxel{v}")) };
        for (int i = 0; i < Items; i++)
            lines.Add(string.Join(',', Enumerable.Range(0, Voxels).Select(v => responses[i * Voxels + v].ToString("R", CultureInfo.InvariantCulture))));
        File.WriteAllLines(dir.File("y.csv"), lines);
        var fromCsv = CliRunner.Run("align", "--activations", acts, "--responses", dir.File("y.csv"), "--model-name", "org/tiny",
            "--percentage", "5", "--cache-dir", cache, "--random-seeds", "0", "--json", dir.File("csv.json"));
        Assert.True(fromCsv.ExitCode == 0, fromCsv.Stderr);
        var fromNpy = CliRunner.Run("align", "--activations", acts, "--responses", dir.File("y.npy"), "--mask", MaskFile,
            "--random-seeds", "0", "--json", dir.File("npy.json"));
        Assert.True(fromNpy.ExitCode == 0, fromNpy.Stderr);
        var csv = TestJson.Read<AlignReport.Document>(dir.File("csv.json"));
        Assert.Equal(TestJson.Read<AlignReport.Document>(dir.File("npy.json")).Conditions[0].Score, csv.Conditions[0].Score);
        Assert.Equal("voxel3", csv.Groups[0].ResponseColumnNames[3]);
        Assert.Null(csv.Alphas);
    }

    [Fact]
    public void NaNColumnsAreDroppedAndConstantColumnsCountedWithWarnings()
    {
        using var dir = new TempDir();
        var (acts, _, _, responses) = Write(dir);
        var y = new double[Items * (Voxels + 2)];
        for (int i = 0; i < Items; i++)
        {
            for (int v = 0; v < Voxels; v++) y[i * (Voxels + 2) + v] = responses[i * Voxels + v];
            y[i * (Voxels + 2) + Voxels] = i == 5 ? double.NaN : 1;  // dropped (NaN)
            y[i * (Voxels + 2) + Voxels + 1] = 3.25;                  // constant: r is NaN in every fold
        }
        Npy.Write(dir.File("y2.npy"), y, Items, Voxels + 2);
        var run = CliRunner.Run("align", "--activations", acts, "--responses", dir.File("y2.npy"), "--json", dir.File("o.json"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("warning: 1 response column(s)", run.Stderr);
        Assert.Contains("warning: all: 10 (fold, column) pair(s) gave NaN r", run.Stderr);
        var doc = TestJson.Read<AlignReport.Document>(dir.File("o.json"));
        Assert.Equal(Enumerable.Range(0, Voxels).Append(Voxels + 1), doc.Groups[0].ResponseColumns);
        Assert.Equal(1, doc.Groups[0].DroppedResponseColumns);
        Assert.Equal(Layers * Hidden, doc.Conditions.Single().Units);
        Assert.All(doc.Conditions[0].Groups[0].Folds, f => Assert.True(double.IsNaN(f.R[^1]) && f.NanColumns == 1));
    }

    [Theory]
    [InlineData("rows")]
    [InlineData("folds")]
    [InlineData("csv")]
    [InlineData("mask-shape")]
    [InlineData("2d-with-mask")]
    [InlineData("layer")]
    [InlineData("missing-cache")]
    [InlineData("parquet-unwritable")]
    public void BadInputIsOneLineError(string problem)
    {
        using var dir = new TempDir();
        var (acts, y, _, _) = Write(dir);
        var flags = new Dictionary<string, string> { ["--activations"] = acts, ["--responses"] = y, ["--json"] = dir.File("never.json") };
        (string expected, int code) = problem switch
        {
            "rows" => Set(() => Npy.Write(dir.File("short.npy"), new double[59 * 2], 59, 2), ("--responses", dir.File("short.npy")),
                "have 60 rows but responses", 2),
            "folds" => Set(() => { }, ("--folds", "61"), "60 items cannot be split into 61 folds", 2),
            "csv" => Set(() => File.WriteAllLines(dir.File("bad.csv"), ["a,b", "1,2", "3,x"]), ("--responses", dir.File("bad.csv")),
                "line 3, column 'b': 'x' is not a number", 2),
            "mask-shape" => Set(() => Npy.Write(dir.File("m.npy"), new long[2 * 48], 2, 48), ("--mask", dir.File("m.npy")),
                "has shape (2, 48) but the activations hold 3 layers × 48 units", 2),
            "2d-with-mask" => Set(() => { Npy.Write(dir.File("x2.npy"), new float[Items * 4], Items, 4); flags["--mask"] = MaskFile; },
                ("--activations", dir.File("x2.npy")), "are 2-D [items × units]", 1),
            "layer" => Set(() => { }, ("--layer", "3"), "--layer 3 is out of range: the activations have layers 0 to 2", 1),
            // Checked before anything is computed; the other output (--json) is not written either.
            "parquet-unwritable" => Set(() => { }, ("--parquet", "/proc/never.parquet"), "--table /proc/never.parquet: cannot create files in /proc", 1),
            _ => Set(() => flags["--cache-dir"] = dir.File("empty-cache"), ("--model-name", "nowhere"),
                "create it with `llmloc localize --model-name nowhere --percentage 1", 2),
        };

        (string, int) Set(Action prepare, (string Flag, string Value) flag, string message, int exitCode)
        {
            prepare();
            flags[flag.Flag] = flag.Value;
            return (message, exitCode);
        }

        var result = CliRunner.Run(["align", .. flags.SelectMany(f => new[] { f.Key, f.Value })]);
        Assert.Equal(code, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith("llmloc: error: ", result.Stderr);
        Assert.False(File.Exists(dir.File("never.json")));
    }
}
