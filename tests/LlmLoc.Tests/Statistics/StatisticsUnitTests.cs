using LlmLoc.Statistics;

namespace LlmLoc.Tests.Statistics;

/// <summary>Small hand-checkable cases of the statistics building blocks.</summary>
public class StatisticsUnitTests
{
    [Fact]
    public void StudentTTailHasKnownClosedForms()
    {
        // df = 1 is the Cauchy distribution: P(|T| > 1) = 1/2; df = 2: P(|T| > t) = 1 - t / sqrt(2 + t^2).
        Assert.Equal(0.5, StudentT.TwoSidedP(1.0, 1.0), 1e-15);
        Assert.Equal(1 - 3 / Math.Sqrt(11), StudentT.TwoSidedP(-3.0, 2.0), 1e-15);
        Assert.Equal(1.0, StudentT.TwoSidedP(0.0, 7.5));
        Assert.Equal(0.0, StudentT.TwoSidedP(double.NegativeInfinity, 3));
        Assert.True(double.IsNaN(StudentT.TwoSidedP(double.NaN, 3)));
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-2)]
    [InlineData(0.5)]
    public void StudentTNearPOneKeepsFullPrecision(double t)
    {
        // |t| ≪ 1 is where I_x(df/2, 1/2) with x = df/(df + t²) ≈ 1 loses digits; the closed forms do not.
        Assert.Equal(1 - 2 * Math.Atan(t) / Math.PI, StudentT.TwoSidedP(t, 1.0), 1e-15);
        Assert.Equal(1 - t / Math.Sqrt(2 + t * t), StudentT.TwoSidedP(-t, 2.0), 1e-15);
    }

    [Fact]
    public void BenjaminiHochbergHandlesTiesAndClipping()
    {
        double[] adjusted = BenjaminiHochberg.Adjust([0.01, 0.04, 0.04, 0.9, 1.0]);
        // 0.01*5/1 = 0.05; ties 0.04 → min(0.04*5/2, 0.04*5/3, ...) = 0.0666…; 0.9*5/4 = 1.125 → min with 1.0 → 1.0.
        Assert.Equal([0.05, 0.04 * (5.0 / 3), 0.04 * (5.0 / 3), 1.0, 1.0], adjusted);
        Assert.Throws<ArgumentException>(() => BenjaminiHochberg.Adjust([0.5, 1.5]));
    }

    [Fact]
    public void BenjaminiHochbergSkipsNaN()
    {
        double[] adjusted = BenjaminiHochberg.Adjust([0.02, double.NaN, 0.03], out int nanCount);
        Assert.Equal(1, nanCount);
        Assert.Equal(0.03, adjusted[0]);
        Assert.True(double.IsNaN(adjusted[1]));
        Assert.Equal(0.03, adjusted[2]);
    }

    [Fact]
    public void PercentileInterpolatesLinearly()
    {
        Assert.Equal(2.5, NumpyPercentile.Compute([4.0, 1.0, 3.0, 2.0], 50));
        Assert.Equal(4.0, NumpyPercentile.Compute([4.0, 1.0, 3.0, 2.0], 100));
        Assert.Equal(7.0, NumpyPercentile.Compute([7.0], 30));
        Assert.True(double.IsNaN(NumpyPercentile.Compute([1.0, double.PositiveInfinity], 100)));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumpyPercentile.Compute([1.0], 101));
    }

    [Fact]
    public void TopKPutsNaNLastInBothDirections()
    {
        double[] t = [double.NaN, 1.0, 2.0, 2.0];
        Assert.Equal([0L, 0, 1, 1], UnitSelection.TopK(t, 1));
        Assert.Equal([0L, 1, 1, 1], UnitSelection.TopK(t, 2));
        Assert.Equal([1L, 1, 1, 1], UnitSelection.TopK(t, 3));
        Assert.Equal([0L, 1, 0, 0], UnitSelection.BottomK(t, 1));
        Assert.Equal([1L, 1, 1, 1], UnitSelection.BottomK(t, 3));
        Assert.Equal([0L, 0, 0, 0], UnitSelection.TopK(t, 0));
    }

    [Fact]
    public void WelchTTestOfSmallSamplesMatchesHandComputation()
    {
        // a = [1, 2, 3] (mean 2, var 1), b = [2, 4, 6, 8] (mean 5, var 20/3): t = -3 / sqrt(1/3 + 5/3) = -3/sqrt(2).
        var result = WelchTTest.Compute(new double[] { 1, 2, 3 }, new double[] { 2, 4, 6, 8 }, 1);
        Assert.Equal(-3 / Math.Sqrt(2), result.T[0], 1e-15);
        double vn1 = 1.0 / 3, vn2 = 5.0 / 3;
        Assert.Equal((vn1 + vn2) * (vn1 + vn2) / (vn1 * vn1 / 2 + vn2 * vn2 / 3), result.DegreesOfFreedom[0], 1e-14);
        Assert.InRange(result.P[0], 0.0, 1.0);
    }

    [Fact]
    public void ZeroVarianceGivesInfiniteOrNaNLikeScipy()
    {
        var result = WelchTTest.Compute(new double[] { 1, 2, 1, 2 }, new double[] { 0, 2, 0, 2 }, 2);
        Assert.Equal(double.PositiveInfinity, result.T[0]);
        Assert.Equal(0.0, result.P[0]);
        Assert.Equal(1.0, result.DegreesOfFreedom[0]);
        Assert.True(double.IsNaN(result.T[1]));
        Assert.True(double.IsNaN(result.P[1]));
    }
}

public class WelchVectorPathTests
{
    [Fact]
    public void VectorAndScalarPathsAgreeBitForBit()
    {
        // Column j of a wide matrix goes through the vector loop; the same column alone goes through the scalar tail.
        var random = new Random(5);
        int units = 64, rows = 9;
        double[] a = Enumerable.Range(0, rows * units).Select(_ => random.NextDouble() * 3 - 1).ToArray();
        double[] b = Enumerable.Range(0, rows * units).Select(_ => random.NextDouble() * 3 - 0.8).ToArray();
        var wide = WelchTTest.Compute(a, b, units, absolute: true);
        for (int j = 0; j < units; j += 13)
        {
            double[] columnA = Enumerable.Range(0, rows).Select(r => a[r * units + j]).ToArray();
            double[] columnB = Enumerable.Range(0, rows).Select(r => b[r * units + j]).ToArray();
            var single = WelchTTest.Compute(columnA, columnB, 1, absolute: true);
            Assert.Equal(single.T[0], wide.T[0 + j]);
            Assert.Equal(single.P[0], wide.P[0 + j]);
        }
    }
}
