using System.Text.Json;
using LlmLoc.BrainAlignment;
using LlmLoc.Extraction;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;
using MathNet.Numerics.LinearAlgebra;

namespace LlmLoc.Tests.BrainAlignment;

/// <summary>
/// Brain-Score language's Pereira2018 linear procedure (brain-score/language @ c505c70) against the libraries it calls:
/// scikit-learn 1.2.1 ShuffleSplit / LinearRegression, scipy 1.10 pearsonr, xarray's aggregation, numpy's RandomState
/// and percentile, Python's re (tests/LlmLoc.Tests/Fixtures/brainscore/brainscore.json, written by tests/reference/make_align_brainscore_fixtures.py).
/// </summary>
public class BrainScoreFixtureTests
{
    /// <summary>llmloc's own generated reference files (tests/LlmLoc.Tests/Fixtures/brainscore), not ../shared data.</summary>
    static string OwnFixture(string file) => Path.Combine(Shared.RepoRoot, "tests", "LlmLoc.Tests", "Fixtures", "brainscore", file);

    static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(OwnFixture("brainscore.json"))).RootElement;

    static Matrix<double> Load(string file)
    {
        var array = Npy.Read(OwnFixture(file));
        return Matrix<double>.Build.Dense(array.Shape[1], array.Shape[0], array.ToDoubles()).Transpose();
    }

    static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetDouble();
    static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(Number).ToArray();
    static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}");
        else Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }

    /// <summary>Per split r (NaN positions exact), medians, score and Brain-Score's error against the fixture.</summary>
    static void AssertMetric(JsonElement expected, IReadOnlyList<FoldScore> folds, double score, double error)
    {
        var r = expected.GetProperty("r").EnumerateArray().ToArray();
        Assert.Equal(r.Length, folds.Count);
        for (int s = 0; s < r.Length; s++)
        {
            double[] expectedR = Numbers(r[s]);
            for (int c = 0; c < expectedR.Length; c++) AssertClose(expectedR[c], folds[s].R[c], 1e-9, $"split {s} column {c} r");
            AssertClose(Number(expected.GetProperty("medians")[s]), folds[s].Median, 1e-9, $"split {s} median");
        }
        AssertClose(expected.GetProperty("score").GetDouble(), score, 1e-9, "score");
        AssertClose(expected.GetProperty("error").GetDouble(), error, 1e-9, "Brain-Score's standard error");
    }

    [Fact]
    public void ShuffleSplitsEqualScikitLearnsTrainAndTestSetsInOrder()
    {
        foreach (var c in Fixture.GetProperty("shuffle_split").EnumerateArray())
        {
            var splits = CrossValidationSplits.ShuffleSplit(c.GetProperty("n").GetInt32(), c.GetProperty("splits").GetInt32(),
                c.GetProperty("train_size").GetDouble(), c.GetProperty("seed").GetUInt32());
            var expected = c.GetProperty("sets").EnumerateArray().ToArray();
            Assert.Equal(expected.Length, splits.Length);
            for (int s = 0; s < splits.Length; s++)
            {
                Assert.Equal(Ints(expected[s].GetProperty("train")), splits[s].Train);
                Assert.Equal(Ints(expected[s].GetProperty("test")), splits[s].Test);
            }
        }
    }

    /// <summary>brain-score/language metrics/linear_predictivity/test.py test_mismatched_source_target, through the CLI.</summary>
    [Fact]
    public void BrainScorePresetOnTheMismatchedTestDataGivesBrainScoresAssertedValue()
    {
        using var dir = new TempDir();
        var run = CliRunner.Run("align", "--activations", OwnFixture("brainscore_mismatched_X.npy"),
            "--responses", OwnFixture("brainscore_mismatched_Y.npy"), "--brainscore", "--json", dir.File("m.json"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var doc = TestJson.Read<AlignReport.Document>(dir.File("m.json"));
        var expected = Fixture.GetProperty("mismatched");
        double score = doc.Conditions.Single().Score;
        Assert.Equal(expected.GetProperty("asserted_by_brainscore").GetDouble(), score, expected.GetProperty("asserted_tolerance").GetDouble());
        Assert.Equal(["shuffle-split", "linear"], new[] { doc.Cv, doc.Method });
        Assert.Equal((10, 0.9, 1, true), (doc.Folds, doc.TrainSize!.Value, doc.SplitSeed, doc.Brainscore));
        Assert.Equal(LinearPredictivity.ScipyLstsqCutoff, doc.LeastSquaresCutoff);
        var group = doc.Conditions.Single().Groups.Single();
        AssertMetric(expected, group.Folds.Select(f => new FoldScore(f.Fold, f.Alpha, f.R, f.Median, f.NanColumns)).ToList(), group.Score, group.BrainscoreError);
        Assert.Equal(32, group.NanR);
        Assert.Contains("s.e. (Brain-Score)", run.Stdout);
        Assert.Contains("Brain-Score's Pereira2018 linear metric (brain-score/language c505c70)", run.Stdout);
        // The splits written are scikit-learn's.
        var sets = Fixture.GetProperty("shuffle_split")[0].GetProperty("sets");
        Assert.Equal(Ints(sets[3].GetProperty("test")), doc.Groups.Single().Splits[3].Test);
    }

    /// <summary>d &lt; training size: per-split predictions of scikit-learn's LinearRegression, then r, medians, score.</summary>
    [Fact]
    public void LeastSquaresAtScipysCutoffMatchesLinearRegressionWhereDIsBelowTheTrainingSize()
    {
        var x = Load("brainscore_tall_X.npy");
        var y = Load("brainscore_tall_Y.npy");
        var predictions = Npy.Read(OwnFixture("brainscore_tall_predictions.npy"));
        double[] all = predictions.ToDoubles();
        int tests = predictions.Shape[1], columns = predictions.Shape[2];
        var splits = CrossValidationSplits.ShuffleSplit(x.RowCount, 10, 0.9, 1);
        double tolerance = 1e-8 * y.Enumerate().Max(Math.Abs);
        for (int s = 0; s < splits.Length; s++)
        {
            int[] train = splits[s].Train.Order().ToArray(), test = splits[s].Test.Order().ToArray();
            var (predicted, _) = LinearPredictivity.FitPredict(Rows(x, train), Rows(y, train), Rows(x, test), RegressionMethod.Linear,
                LinearPredictivity.DefaultAlphas, LinearPredictivity.ScipyLstsqCutoff);
            for (int i = 0; i < tests; i++)
                for (int c = 0; c < columns; c++)
                    AssertClose(all[(s * tests + i) * columns + c], predicted[i, c], tolerance, $"split {s} item {test[i]} column {c}");
        }
        var score = LinearPredictivity.CrossValidate(x, y, splits, RegressionMethod.Linear, cutoff: LinearPredictivity.ScipyLstsqCutoff);
        Assert.Null(score.Predictions); // shuffle splits: no per-item prediction matrix
        AssertMetric(Fixture.GetProperty("tall"), score.Folds, score.Score, score.BrainScoreError);
    }

    static Matrix<double> Rows(Matrix<double> m, int[] rows) => Matrix<double>.Build.Dense(rows.Length, m.ColumnCount, (i, j) => m[rows[i], j]);

    /// <summary>Two experiments scored apart (own splits, own complete columns), ceiling-normalised and averaged, through the CLI.</summary>
    [Theory, InlineData("csv"), InlineData("parquet")]
    public void GroupsAreScoredSeparatelyWithTheirOwnColumnsThenCeilingNormalisedAndAveraged(string itemsFormat)
    {
        using var dir = new TempDir();
        var expected = Fixture.GetProperty("groups");
        string[] experiments = expected.GetProperty("experiments").EnumerateArray().Select(e => e.GetString()!).ToArray();
        // An item table as extract writes it, with the input's experiment column passed through.
        string items = dir.File("items." + itemsFormat);
        var extract = new List<string> { "text,experiment" };
        extract.AddRange(experiments.Select((e, i) => $"Sentence {i}.,{e}"));
        File.WriteAllLines(dir.File("stimuli.csv"), extract);
        WriteItemTable(dir.File("stimuli.csv"), items);

        var run = CliRunner.Run("align", "--activations", OwnFixture("brainscore_groups_X.npy"),
            "--responses", OwnFixture("brainscore_groups_Y.npy"), "--brainscore", "--items", items, "--group-column", "experiment",
            "--ceiling", "e1=0.35378928", "--ceiling", "e2=0.36343748", "--json", dir.File("g.json"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var doc = TestJson.Read<AlignReport.Document>(dir.File("g.json"));
        Assert.Equal(["e1", "e2"], doc.Groups.Select(g => g.Name).OrderBy(n => n));
        var condition = doc.Conditions.Single();
        foreach (var group in condition.Groups)
        {
            var reference = expected.GetProperty("scores").GetProperty(group.Group);
            Assert.Equal(Ints(reference.GetProperty("columns")), doc.Groups.Single(g => g.Name == group.Group).ResponseColumns);
            AssertMetric(reference, group.Folds.Select(f => new FoldScore(f.Fold, f.Alpha, f.R, f.Median, f.NanColumns)).ToList(), group.Score, group.BrainscoreError);
            AssertClose(reference.GetProperty("normalised").GetDouble(), group.NormalisedScore!.Value, 1e-9, $"{group.Group} normalised");
            // The group's splits are ShuffleSplit over its own rows, in file order.
            int[] rows = Enumerable.Range(0, experiments.Length).Where(i => experiments[i] == group.Group).ToArray();
            var local = CrossValidationSplits.ShuffleSplit(rows.Length, 10, 0.9, 1);
            Assert.Equal(local[0].Test.Select(i => rows[i]), doc.Groups.Single(g => g.Name == group.Group).Splits[0].Test);
        }
        AssertClose(expected.GetProperty("mean").GetDouble(), condition.Score, 1e-9, "mean over groups");
        AssertClose(expected.GetProperty("normalised_mean").GetDouble(), condition.NormalisedScore!.Value, 1e-9, "normalised mean");
        Assert.Equal(1.0, condition.Groups.Single(g => g.Group == "e2").NormalisedScore); // clipped
        Assert.Contains("2 response column(s) of", run.Stderr); // e1 lacks columns 7 and 8
        Assert.Contains("normalised", run.Stdout);
    }

    /// <summary>The item table of a stimuli CSV as extract writes it (its table writer, without a model).</summary>
    static void WriteItemTable(string stimuli, string path)
    {
        var loaded = ExtractionItems.Load(stimuli);
        Assert.Equal(["experiment"], ExtractionItems.ExtraColumns(loaded));
        using var outputs = new LlmLoc.IO.OutputSet();
        ExtractRun.AddItemTable(outputs, path, loaded, loaded.Select(i => (IReadOnlyList<int>)[1]).ToList(), new int[loaded.Count]);
        outputs.Commit();
    }

    [Fact]
    public void LanguageVsRandomBootstrapIntervalAndRankMatchNumpy()
    {
        var c = Fixture.GetProperty("random_comparison");
        double[] random = Numbers(c.GetProperty("random"));
        var result = RandomComparison.Of(c.GetProperty("language").GetDouble(), random, c.GetProperty("seed").GetInt32(), c.GetProperty("samples").GetInt32());
        Assert.Equal(c.GetProperty("difference").GetDouble(), result.Difference, 1e-15);
        AssertClose(c.GetProperty("interval")[0].GetDouble(), result.IntervalLow!.Value, 1e-12, "interval low");
        AssertClose(c.GetProperty("interval")[1].GetDouble(), result.IntervalHigh!.Value, 1e-12, "interval high");
        Assert.Equal(c.GetProperty("at_least_as_good").GetInt32(), result.AtLeastAsGood);
        Assert.Equal((2 + 1) / 8.0, result.P);
        Assert.Equal(1 / 8.0, result.SmallestP);
        // The resamples are numpy's randint(0, N, (B, N)) rows.
        var rng = new NumpyLegacyRandom(42);
        foreach (var row in c.GetProperty("first_draws").EnumerateArray())
            Assert.Equal(Ints(row), Enumerable.Range(0, random.Length).Select(_ => (int)rng.RandInt(0, random.Length)));
        Assert.Null(RandomComparison.Of(0.3, [0.1], 1).IntervalLow); // one set: no interval
    }

    [Fact]
    public void PassageContextIsBrainScoresPrepareContext()
    {
        foreach (var c in Fixture.GetProperty("prepare_context").EnumerateArray())
            Assert.Equal(c.GetProperty("context").GetString(), PassageContext.Prepare(c.GetProperty("parts").EnumerateArray().Select(p => p.GetString()!)));
    }

    [Fact]
    public void PearsonIsScipysIncludingTwoItemsConstantsAndLargeMagnitudes()
    {
        foreach (var c in Fixture.GetProperty("pearsonr").EnumerateArray())
            AssertClose(Number(c.GetProperty("r")), LinearPredictivity.Pearson(Vector<double>.Build.Dense(Numbers(c.GetProperty("x"))),
                Vector<double>.Build.Dense(Numbers(c.GetProperty("y")))), 1e-12, $"pearsonr {c.GetProperty("x")}");
    }
}
