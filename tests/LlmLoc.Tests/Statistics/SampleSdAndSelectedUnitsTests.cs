using LlmLoc.BrainAlignment;
using LlmLoc.Evaluation;
using LlmLoc.Masks;
using MathNet.Numerics.LinearAlgebra;

namespace LlmLoc.Tests.Statistics;

/// <summary>The one sample standard deviation (numpy's std with ddof=1, MathNet) behind evaluate's seeds and align's
/// folds, and the one list of a mask's selected units behind extract's and align's columns.</summary>
public class SampleSdAndSelectedUnitsTests
{
    // numpy.std(x, ddof=1) (Python's statistics.stdev gives the same digits).
    const double SdOf1_2_4 = 1.5275252316519468, SdOfFolds = 0.13768926368215256;

    [Fact]
    public void EvaluateSeedsSdIsTheSampleSdAndNeedsTwoValues()
    {
        var summary = MeanSd.Of([1.0, null, 2.0, 4.0])!.Value;
        Assert.Equal(3, summary.Count);
        Assert.Equal(7.0 / 3, summary.Mean, 1e-15);
        Assert.Equal(SdOf1_2_4, summary.Sd!.Value, 1e-15);
        Assert.Null(MeanSd.Of([5.0, null])!.Value.Sd);
        Assert.Null(MeanSd.Of([null]));
    }

    [Fact]
    public void AlignFoldSdLeavesNanFoldsOutAndIsNanBelowTwo()
    {
        static PredictivityScore Score(params double[] medians) => new(
            medians.Select((m, f) => new FoldScore(f, null, [m], m, double.IsNaN(m) ? 1 : 0)).ToList(), Matrix<double>.Build.Dense(1, 1));
        Assert.Equal(SdOfFolds, Score(0.1, double.NaN, 0.4, 0.35, 0.2).FoldSd, 1e-15);
        Assert.True(double.IsNaN(Score(0.3, double.NaN).FoldSd));
    }

    [Fact]
    public void SelectedIndicesAreTheFlatLayerMajorPositionsOfTheOnes()
    {
        var mask = new UnitMask([0, 1, 0, 1, 1, 0], layers: 2, hidden: 3);
        Assert.Equal([1, 3, 4], mask.SelectedIndices());
        Assert.Empty(new UnitMask(new long[6], 2, 3).SelectedIndices());
    }
}
