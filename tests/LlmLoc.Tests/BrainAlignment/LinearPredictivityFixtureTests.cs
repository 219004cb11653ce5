using System.Text.Json;
using LlmLoc.BrainAlignment;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;
using MathNet.Numerics.LinearAlgebra;

namespace LlmLoc.Tests.BrainAlignment;

/// <summary>Folds, predictions, alphas, r, medians and scores against scikit-learn 1.2.1 (shared/fixtures/align).</summary>
public class LinearPredictivityFixtureTests
{
    static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(Shared.Fixture("align", "align.json"))).RootElement;
    static readonly double[] FixtureAlphas = Fixture.GetProperty("alphas").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static TheoryData<string, string> Cases => new()
    {
        { "tall", "linear" }, { "tall", "ridge" }, { "wide", "linear" }, { "wide", "ridge" },
    };

    static JsonElement Case(string name) => Fixture.GetProperty("cases").GetProperty(name);

    static Matrix<double> Load(string file)
    {
        var array = Npy.Read(Shared.Fixture("align", file));
        return Matrix<double>.Build.Dense(array.Shape[1], array.Shape[0], array.ToDoubles()).Transpose();
    }

    static int[][] ExpectedFolds(string name) =>
        Case(name).GetProperty("folds").EnumerateArray().Select(f => f.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();

    [Theory, InlineData("tall"), InlineData("wide")]
    public void FoldsEqualScikitLearnKFoldShuffle(string name)
    {
        // Consecutive slices of numpy RandomState(0).shuffle(arange(n)): checks the legacy shuffle stream for n = 123 and 60.
        int n = Case(name).GetProperty("n").GetInt32();
        var folds = LinearPredictivity.KFoldTestSets(n, 10, seed: 0);
        Assert.Equal(ExpectedFolds(name), folds);
    }

    [Theory, MemberData(nameof(Cases))]
    public void MatchesScikitLearn(string name, string methodName)
    {
        var x = Load($"{name}_X.npy");
        var y = Load($"{name}_Y.npy");
        var method = methodName == "linear" ? RegressionMethod.Linear : RegressionMethod.Ridge;
        var expected = Case(name).GetProperty("methods").GetProperty(methodName);

        var result = LinearPredictivity.CrossValidate(x, y, ExpectedFolds(name), method, FixtureAlphas);

        var predictions = Load($"{name}_{methodName}_predictions.npy");
        double tolerance = 1e-8 * y.Enumerate().Max(Math.Abs);
        Assert.True((result.Predictions - predictions).Enumerate().Max(Math.Abs) <= tolerance,
            $"max prediction error {(result.Predictions - predictions).Enumerate().Max(Math.Abs)} > {tolerance}");

        if (method == RegressionMethod.Ridge)
            Assert.Equal(expected.GetProperty("alpha_per_fold").EnumerateArray().Select(e => e.GetDouble()), result.Folds.Select(f => f.Alpha!.Value));
        else
            Assert.All(result.Folds, f => Assert.Null(f.Alpha));

        var r = expected.GetProperty("r_per_fold_per_column").EnumerateArray().ToArray();
        var medians = expected.GetProperty("median_per_fold").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int f = 0; f < r.Length; f++)
        {
            double[] expectedR = r[f].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(expectedR.Length, result.Folds[f].R.Length);
            for (int c = 0; c < expectedR.Length; c++) Assert.Equal(expectedR[c], result.Folds[f].R[c], 1e-8);
            Assert.Equal(medians[f], result.Folds[f].Median, 1e-8);
        }
        Assert.Equal(expected.GetProperty("score").GetDouble(), result.Score, 1e-8);
    }

    [Fact]
    public void ConstantResponseColumnGivesNaNExcludedFromMedianAndCounted()
    {
        var x = Load("tall_X.npy");
        var y = Load("tall_Y.npy");
        var withConstant = y.Append(Matrix<double>.Build.Dense(y.RowCount, 1, 0.1));
        var folds = ExpectedFolds("tall");
        var plain = LinearPredictivity.CrossValidate(x, y, folds, RegressionMethod.Linear);
        var result = LinearPredictivity.CrossValidate(x, withConstant, folds, RegressionMethod.Linear);
        Assert.All(result.Folds, f => Assert.True(double.IsNaN(f.R[^1])));
        Assert.All(result.Folds, f => Assert.Equal(1, f.NanColumns));
        Assert.Equal(plain.Folds.Select(f => f.Median), result.Folds.Select(f => f.Median));
    }

    [Fact]
    public void FewerItemsThanFoldsIsAnError()
    {
        var e = Assert.Throws<LlmLocException>(() => LinearPredictivity.KFoldTestSets(7, 10, 0));
        Assert.Contains("7 items cannot be split into 10 folds", e.Message);
    }

    [Fact]
    public void NanMedianIgnoresNaNAndAveragesTheMiddlePair()
    {
        Assert.Equal(2.5, LinearPredictivity.NanMedian([4, double.NaN, 1, 2, 3]));
        Assert.Equal(3, LinearPredictivity.NanMedian([5, 3, double.NaN, 1]));
        Assert.True(double.IsNaN(LinearPredictivity.NanMedian([double.NaN])));
    }
}
