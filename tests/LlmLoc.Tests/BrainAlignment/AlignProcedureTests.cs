using LlmLoc.BrainAlignment;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;
using MathNet.Numerics.LinearAlgebra;

namespace LlmLoc.Tests.BrainAlignment;

/// <summary>align's split schemes, --layer all, the language-vs-random comparison, extreme responses and every bad
/// input of issue 24 (one line, before anything is computed).</summary>
public class AlignProcedureTests
{
    const int Items = AlignCommandTests.Items, Layers = AlignCommandTests.Layers, Hidden = AlignCommandTests.Hidden, Voxels = AlignCommandTests.Voxels;
    static string MaskFile => AlignCommandTests.MaskFile;

    /// <summary>The synthetic data of <see cref="AlignCommandTests"/> with more noise, so random units score near 0.</summary>
    static (string Activations, string Responses, float[] X, double[] Y) Write(TempDir dir) => AlignCommandTests.Write(dir, seed: 11, noise: 0.3);

    static Matrix<double> Columns(float[] x, int[] columns) =>
        Matrix<double>.Build.Dense(Items, columns.Length, (i, j) => x[i * Layers * Hidden + columns[j]]);

    [Fact]
    public void ShuffleSplitScoresEachSplitWithTheRoutineAndReportsBothSpreads()
    {
        using var dir = new TempDir();
        var (acts, y, x, responses) = Write(dir);
        var run = CliRunner.Run("align", "--activations", acts, "--responses", y, "--layer", "1", "--cv", "shuffle-split", "--folds", "7",
            "--train-size", "0.8", "--split-seed", "3", "--json", dir.File("s.json"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var doc = TestJson.Read<AlignReport.Document>(dir.File("s.json"));
        Assert.Equal((AlignReport.FormatVersion, "shuffle-split", 7, 0.8, 3), (doc.FormatVersion, doc.Cv, doc.Folds, doc.TrainSize!.Value, doc.SplitSeed));
        Assert.Equal(1e-10, doc.LeastSquaresCutoff);
        var splits = CrossValidationSplits.ShuffleSplit(Items, 7, 0.8, 3);
        Assert.Equal(splits.Select(s => s.Train), doc.Groups[0].Splits.Select(s => s.Train));
        Assert.All(doc.Groups[0].Splits, s => Assert.Equal((48, 12), (s.Train.Length, s.Test.Length)));
        var direct = LinearPredictivity.CrossValidate(Columns(x, Enumerable.Range(Hidden, Hidden).ToArray()),
            Matrix<double>.Build.Dense(Items, Voxels, (i, j) => responses[i * Voxels + j]), splits, RegressionMethod.Linear);
        var layer = doc.Conditions.Single().Groups.Single();
        Assert.Equal(direct.Score, layer.Score);
        Assert.Equal(direct.FoldSd, layer.FoldSd);
        // Brain-Score's spread: population sd of the split medians / √splits.
        double[] medians = direct.Folds.Select(f => f.Median).ToArray();
        double mean = medians.Average();
        Assert.Equal(Math.Sqrt(medians.Sum(m => (m - mean) * (m - mean)) / 7) / Math.Sqrt(7), layer.BrainscoreError, 1e-15);
        Assert.Contains("sd (splits)", run.Stdout);
        Assert.Contains("7 shuffle splits (train size 0.8, split seed 3)", run.Stdout);
    }

    [Fact]
    public void LayerAllScoresEveryLayerAndTheComparisonHasItsIntervalAndRank()
    {
        using var dir = new TempDir();
        var (acts, y, _, _) = Write(dir);
        var run = CliRunner.Run("align", "--activations", acts, "--responses", y, "--mask", MaskFile, "--random-seeds", "4", "--layer", "all",
            "--json", dir.File("l.json"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var doc = TestJson.Read<AlignReport.Document>(dir.File("l.json"));
        Assert.Equal(["language", "random", "random", "random", "random", "layer", "layer", "layer"], doc.Conditions.Select(c => c.Condition));
        Assert.Equal([0, 1, 2], doc.Conditions.Where(c => c.Condition == "layer").Select(c => c.Layer!.Value));
        Assert.All(doc.Conditions.Where(c => c.Condition == "layer"), c => Assert.Equal(Hidden, c.Units));

        var cmp = doc.Comparison!;
        double[] random = doc.Conditions.Where(c => c.Condition == "random").Select(c => c.Score).ToArray();
        var expected = RandomComparison.Of(doc.Conditions[0].Score, random, 42);
        Assert.Equal((expected.Difference, expected.IntervalLow, expected.IntervalHigh), (cmp.Difference, cmp.IntervalLow, cmp.IntervalHigh));
        Assert.Equal((0, 4, 0.2, 10_000, 42), (cmp.AtLeastAsGood, cmp.RandomSets, cmp.P, cmp.BootstrapSamples, cmp.BootstrapSeed));
        Assert.True(cmp.IntervalLow > 0, $"language beats random: {cmp.IntervalLow}");
        Assert.Contains("random sets scoring at least the language units: 0 of 4 (empirical p = (k + 1) / (N + 1) = 0.2; 4 sets cannot give less than 0.2)", run.Stdout);
        Assert.Contains("95 % bootstrap interval over the 4 random sets", run.Stdout);
    }

    [Fact]
    public void LayerAllReadInBatchesOfOneLayerGivesTheScoresOfOneBatch()
    {
        using var dir = new TempDir();
        var (acts, y, _, _) = Write(dir);
        var options = new AlignOptions { ActivationsFile = acts, ResponsesFile = y, AllLayers = true };
        var oneBatch = AlignRun.Run(options, TextWriter.Null, TextWriter.Null);
        var log = new StringWriter();
        var perLayer = AlignRun.Run(options, TextWriter.Null, log, columnBudgetBytes: Items * Hidden * sizeof(double));
        Assert.Equal(oneBatch.Conditions.Select(c => c.Score), perLayer.Conditions.Select(c => c.Score));
        Assert.Equal([0, 1, 2], perLayer.Conditions.Select(c => c.Condition.Layer!.Value));
        Assert.Contains("3 activation reads", log.ToString());
    }

    /// <summary>Responses near the float limit: a power-of-two rescaling changes no bit; 1e300 changes only rounding.</summary>
    [Theory, InlineData(RegressionMethod.Linear), InlineData(RegressionMethod.Ridge)]
    public void ResponsesNearTheFloatLimitGiveTheScoreOfTheUnscaledResponses(RegressionMethod method)
    {
        using var dir = new TempDir();
        var (acts, y, _, responses) = Write(dir);
        Npy.Write(dir.File("huge.npy"), responses.Select(v => Math.ScaleB(v, 1020)).ToArray(), Items, Voxels);
        Npy.Write(dir.File("e300.npy"), responses.Select(v => v * 1e300).ToArray(), Items, Voxels);
        string m = method.ToString().ToLowerInvariant();
        double Score(string responsesFile, string name)
        {
            var run = CliRunner.Run("align", "--activations", acts, "--responses", responsesFile, "--layer", "0", "--method", m, "--json", dir.File(name));
            Assert.True(run.ExitCode == 0, run.Stderr);
            return TestJson.Read<AlignReport.Document>(dir.File(name)).Conditions.Single().Score;
        }
        double plain = Score(y, "p.json");
        Assert.False(double.IsNaN(plain));
        Assert.Equal(plain, Score(dir.File("huge.npy"), "h.json"));
        Assert.Equal(plain, Score(dir.File("e300.npy"), "e.json"), 1e-12);
    }

    [Fact]
    public void LeastSquaresWithActivationsNearTheFloatLimitGivesTheSameScore()
    {
        var rng = new Random(3);
        var x = Matrix<double>.Build.Dense(40, 5, (_, _) => rng.NextDouble());
        var y = Matrix<double>.Build.Dense(40, 3, (i, j) => x[i, j] + 0.1 * rng.NextDouble());
        var splits = CrossValidationSplits.KFold(40, 5, 0);
        double plain = LinearPredictivity.CrossValidate(x, y, splits, RegressionMethod.Linear).Score;
        Assert.Equal(plain, LinearPredictivity.CrossValidate(x.Map(v => Math.ScaleB(v, 1000)), y, splits, RegressionMethod.Linear).Score);
    }

    [Theory]
    [InlineData("ceiling-zero", 1, "--ceiling 0 is out of range: a ceiling is a correlation in (0, 1]")]
    [InlineData("ceiling-above-one", 1, "--ceiling 1.5 is out of range")]
    [InlineData("ceiling-text", 1, "--ceiling x: 'x' is not a number")]
    [InlineData("ceiling-group-without-column", 1, "names a group, but there is no --group-column")]
    [InlineData("ceiling-mixed", 1, "--ceiling C and --ceiling GROUP=C are both given")]
    [InlineData("ceiling-missing-group", 1, "group 'b' of --group-column g has no --ceiling")]
    [InlineData("train-size-zero", 1, "--train-size 0 is out of range: give a fraction between 0 and 1")]
    [InlineData("train-size-one", 1, "--train-size 1 is out of range")]
    [InlineData("train-size-with-kfold", 1, "--train-size applies to --cv shuffle-split")]
    [InlineData("train-size-empty-test", 2, "--train-size 0.99 of 60 items leaves 1 test item(s), fewer than the 2 Pearson r needs")]
    [InlineData("train-size-empty-train", 2, "--train-size 0.01 of 60 items leaves an empty training set")]
    [InlineData("brainscore-folds", 1, "--brainscore means --cv shuffle-split --folds 10 --train-size 0.9 --split-seed 1 --method linear; --folds 5 contradicts it")]
    [InlineData("brainscore-method", 1, "--method ridge contradicts it")]
    [InlineData("brainscore-cv", 1, "--cv kfold contradicts it")]
    [InlineData("brainscore-seed", 1, "--split-seed 0 contradicts it")]
    [InlineData("group-without-items", 1, "--group-column g needs --items FILE")]
    [InlineData("items-without-group", 1, "--items is read only for --group-column")]
    [InlineData("group-column-missing", 2, "has no column 'experiment' (columns: text, g)")]
    [InlineData("group-too-small", 2, "group 'b' of --group-column g (5 items): 5 items cannot be split into 10 folds")]
    [InlineData("group-too-small-shuffle", 2, "group 'b' of --group-column g (5 items): --train-size 0.9 of 5 items leaves 1 test item(s)")]
    [InlineData("layer-all-2d", 1, "--layer all needs activations [items × layers × hidden]")]
    [InlineData("layer-text", 1, "--layer x is not a layer: give a layer index (0-based) or all")]
    [InlineData("mask-too-large", 2, "a random mask of the same size as the language mask needs 100 units outside it, but only 44")]
    [InlineData("folds-equal-items", 2, "60 items in 60 folds leave test folds of 1 item, where Pearson r is undefined: give --folds 30 or fewer")]
    [InlineData("overflow-activations", 2, "overflowed")]
    public void BadInputIsOneLineErrorBeforeAnyScore(string problem, int code, string expected)
    {
        using var dir = new TempDir();
        var (acts, y, _, _) = Write(dir);
        var flags = new List<string> { "--activations", acts, "--responses", y, "--json", dir.File("never.json") };
        void ItemTable(string group) => File.WriteAllLines(dir.File("items.csv"),
            ["text,g", .. Enumerable.Range(0, Items).Select(i => $"s{i},{(i < Items - 5 ? "a" : group)}")]);
        switch (problem)
        {
            case "ceiling-zero": flags.AddRange(["--ceiling", "0"]); break;
            case "ceiling-above-one": flags.AddRange(["--ceiling", "1.5"]); break;
            case "ceiling-text": flags.AddRange(["--ceiling", "x"]); break;
            case "ceiling-group-without-column": flags.AddRange(["--ceiling", "a=0.3"]); break;
            case "ceiling-mixed": ItemTable("b"); flags.AddRange(["--items", dir.File("items.csv"), "--group-column", "g", "--ceiling", "0.3", "--ceiling", "a=0.3"]); break;
            case "ceiling-missing-group": ItemTable("b"); flags.AddRange(["--items", dir.File("items.csv"), "--group-column", "g", "--ceiling", "a=0.3", "--cv", "shuffle-split", "--train-size", "0.5"]); break;
            case "train-size-zero": flags.AddRange(["--cv", "shuffle-split", "--train-size", "0"]); break;
            case "train-size-one": flags.AddRange(["--cv", "shuffle-split", "--train-size", "1"]); break;
            case "train-size-with-kfold": flags.AddRange(["--train-size", "0.8"]); break;
            case "train-size-empty-test": flags.AddRange(["--cv", "shuffle-split", "--train-size", "0.99"]); break;
            case "train-size-empty-train": flags.AddRange(["--cv", "shuffle-split", "--train-size", "0.01"]); break;
            case "brainscore-folds": flags.AddRange(["--brainscore", "--folds", "5"]); break;
            case "brainscore-method": flags.AddRange(["--brainscore", "--method", "ridge"]); break;
            case "brainscore-cv": flags.AddRange(["--brainscore", "--cv", "kfold"]); break;
            case "brainscore-seed": flags.AddRange(["--brainscore", "--split-seed", "0"]); break;
            case "group-without-items": flags.AddRange(["--group-column", "g"]); break;
            case "items-without-group": ItemTable("b"); flags.AddRange(["--items", dir.File("items.csv")]); break;
            case "group-column-missing": ItemTable("b"); flags.AddRange(["--items", dir.File("items.csv"), "--group-column", "experiment"]); break;
            case "group-too-small": ItemTable("b"); flags.AddRange(["--items", dir.File("items.csv"), "--group-column", "g"]); break;
            case "group-too-small-shuffle": ItemTable("b"); flags.AddRange(["--items", dir.File("items.csv"), "--group-column", "g", "--brainscore"]); break;
            case "layer-all-2d": Npy.Write(dir.File("x2.npy"), new float[Items * 4], Items, 4); flags[1] = dir.File("x2.npy"); flags.AddRange(["--layer", "all"]); break;
            case "layer-text": flags.AddRange(["--layer", "x"]); break;
            case "mask-too-large":
                Npy.Write(dir.File("big.npy"), Enumerable.Range(0, Layers * Hidden).Select(i => i < 100 ? 1L : 0L).ToArray(), Layers, Hidden);
                flags.AddRange(["--mask", dir.File("big.npy")]);
                break;
            case "folds-equal-items": flags.AddRange(["--folds", "60"]); break;
            case "overflow-activations":
                var rng = new Random(1);
                Npy.Write(dir.File("big-x.npy"), Enumerable.Range(0, Items * 3).Select(_ => (rng.NextDouble() - 0.5) * 1e305).ToArray(), Items, 3);
                flags[1] = dir.File("big-x.npy");
                flags.AddRange(["--method", "ridge"]);
                break;
        }
        var result = CliRunner.Run(["align", .. flags]);
        Assert.Equal(code, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("llmloc: warning: "));
        Assert.StartsWith("llmloc: error: ", result.Stderr.Split('\n').Last(l => l.Length > 0));
        Assert.DoesNotContain("done in", result.Stderr); // nothing was scored (overflow: refused at the first fit)
        Assert.False(File.Exists(dir.File("never.json")));
    }
}
