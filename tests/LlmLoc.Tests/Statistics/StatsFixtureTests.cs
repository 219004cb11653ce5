using LlmLoc.Numerics;
using LlmLoc.Statistics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Statistics;

/// <summary>Welch t, p, FDR, percentiles and masks against every case of fixtures/stats (numpy/scipy/the original).</summary>
public class StatsFixtureTests
{
    static readonly double[] Percentiles = [0, 1, 5, 10, 25, 50, 75, 80, 90, 95, 99, 100];

    static NpyArray Load(string folder, string file) => Npy.Read(Shared.Fixture("stats", folder, file));

    static LocalizerStatistics ComputeCase(string folder)
    {
        var positive = Load(folder, "positive.npy");
        var negative = Load(folder, "negative.npy");
        return LocalizerStatistics.Compute(positive.ToDoubles(), negative.ToDoubles(), positive.Shape[1], positive.Shape[2]);
    }

    [Theory]
    [InlineData("main")]
    [InlineData("edge-inf")]
    [InlineData("edge-nan")]
    public void TAndPMatchScipy(string folder)
    {
        var stats = ComputeCase(folder);
        Tolerance.AssertClose(Load(folder, "t_values.npy").ToDoubles(), stats.T, what: "t");
        Tolerance.AssertClose(Load(folder, "p_values.npy").ToDoubles(), stats.P, what: "p");
    }

    [Theory]
    [InlineData("main")]
    [InlineData("edge-inf")]
    public void AdjustedPMatchesFalseDiscoveryControl(string folder)
    {
        var stats = ComputeCase(folder);
        Assert.Equal(0, stats.NanUnits);
        Tolerance.AssertClose(Load(folder, "p_adjusted.npy").ToDoubles(), stats.PAdjusted, what: "p_adjusted");
    }

    [Fact]
    public void InfiniteTHasZeroPAndDfOne()
    {
        var stats = ComputeCase("edge-inf");
        int unit = 0 * 16 + 3;
        Assert.Equal(double.PositiveInfinity, stats.T[unit]);
        Assert.Equal(0.0, stats.P[unit]);
        Assert.Equal(0.0, stats.PAdjusted[unit]);
    }

    [Fact]
    public void NanUnitStaysNanAndIsCountedInsteadOfCrashing()
    {
        var stats = ComputeCase("edge-nan");
        int nanUnit = 1 * 16 + 7;
        Assert.Equal(1, stats.NanUnits);
        Assert.True(double.IsNaN(stats.T[nanUnit]));
        Assert.True(double.IsNaN(stats.PAdjusted[nanUnit]));
        // The other 47 units are adjusted among themselves: m = 47.
        double[] others = stats.P.Where((_, i) => i != nanUnit).ToArray();
        double[] expected = BenjaminiHochberg.Adjust(others);
        Assert.Equal(expected, stats.PAdjusted.Where((_, i) => i != nanUnit).ToArray());
    }

    [Theory]
    [InlineData("main")]
    [InlineData("edge-inf")]
    [InlineData("edge-nan")]
    public void PercentilesMatchNumpyIncludingNaNs(string folder)
    {
        double[] t = Load(folder, "t_values.npy").ToDoubles();
        Tolerance.AssertClose(Load(folder, "percentiles.npy").ToDoubles(), NumpyPercentile.Compute(t, Percentiles), what: "percentile");
        Tolerance.AssertClose(Load(folder, "percentiles.npy").ToDoubles(), Percentiles.Select(q => NumpyPercentile.Compute(t, q)).ToArray(), what: "percentile");
    }

    [Theory]
    [InlineData("main", 1)] [InlineData("main", 5)] [InlineData("main", 17)]
    [InlineData("edge-inf", 1)] [InlineData("edge-inf", 5)] [InlineData("edge-inf", 17)]
    [InlineData("edge-nan", 1)] [InlineData("edge-nan", 5)] [InlineData("edge-nan", 17)]
    [InlineData("ties", 1)] [InlineData("ties", 5)] [InlineData("ties", 17)]
    public void TopAndBottomKMasksAreExact(string folder, int k)
    {
        double[] t = folder == "ties" ? Load(folder, "t_values.npy").ToDoubles() : ComputeCase(folder).T;
        Assert.Equal(Load(folder, $"mask_top{k}.npy").ToInt64s(), UnitSelection.TopK(t, k));
        Assert.Equal(Load(folder, $"mask_bottom{k}.npy").ToInt64s(), UnitSelection.BottomK(t, k));
    }

    [Fact]
    public void TiedUnitsBothEnterTheTop17()
    {
        long[] mask = UnitSelection.TopK(ComputeCase("main").T, 17);
        Assert.Equal(18, mask.Sum());
    }

    [Theory]
    [InlineData("main", 80, 90, 42)] [InlineData("main", 80, 90, 7)]
    [InlineData("main", 0, 50, 42)] [InlineData("main", 0, 50, 7)]
    [InlineData("edge-inf", 80, 90, 42)] [InlineData("edge-inf", 80, 90, 7)]
    [InlineData("edge-inf", 0, 50, 42)] [InlineData("edge-inf", 0, 50, 7)]
    public void RangeMasksAreExact(string folder, int low, int high, int seed)
    {
        long[] expected = Load(folder, $"mask_range{low}-{high}_seed{seed}_k4.npy").ToInt64s();
        Assert.Equal(expected, UnitSelection.RandomRange(ComputeCase(folder).T, low, high, 4, seed));
    }

    [Fact]
    public void RangeWithNaNBoundsFallsBackToFiniteTValues()
    {
        // The original crashes here (every numpy percentile is NaN); llmloc takes the bounds over finite t only.
        double[] t = ComputeCase("edge-nan").T;
        long[] mask = UnitSelection.RandomRange(t, 80, 90, 4, 42);
        double[] finite = t.Where(double.IsFinite).ToArray();
        double low = NumpyPercentile.Compute(finite, 80), high = NumpyPercentile.Compute(finite, 90);
        long[] eligible = Enumerable.Range(0, t.Length).Where(i => double.IsFinite(t[i]) && low <= t[i] && t[i] <= high).Select(i => (long)i).ToArray();
        long[] chosen = new NumpyLegacyRandom(42).ChoiceWithoutReplacement(eligible, 4);
        Assert.Equal(4, mask.Sum());
        Assert.All(chosen, i => Assert.Equal(1, mask[i]));
        Assert.All(Enumerable.Range(0, t.Length).Where(i => !double.IsFinite(t[i])), i => Assert.Equal(0, mask[i]));
    }

    [Fact]
    public void RangeWithTooFewUnitsFailsWithBothCountsAndTheFix()
    {
        var error = Assert.Throws<LlmLocException>(() => UnitSelection.RandomRange(ComputeCase("main").T, 80, 90, 40, 42));
        Assert.Matches(@"holds \d+ units", error.Message);
        Assert.Contains("40 units were requested", error.Message);
        Assert.Contains("--localize-range", error.Message);
    }

    [Fact]
    public void RandomLesionMaskMatchesGenerateLesion()
    {
        long[] language = Load("main", "mask_top5.npy").ToInt64s();
        Assert.Equal(Load("main", "mask_random_lesion_from_top5_seed42.npy").ToInt64s(), UnitSelection.RandomLesionMask(language, 42));
    }

    [Fact]
    public void Gpt2SmallShapeMasksAreExact()
    {
        double[] t = Load("gpt2small-shape", "t_values.npy").ToDoubles();
        int k = UnitSelection.NumUnitsFromPercentage(1.0, 768, 12);
        Assert.Equal(92, k);
        long[] top = UnitSelection.TopK(t, k);
        Assert.Equal(Load("gpt2small-shape", "mask_top1pct.npy").ToInt64s(), top);
        Assert.Equal(Load("gpt2small-shape", "mask_bottom1pct.npy").ToInt64s(), UnitSelection.BottomK(t, k));
        Assert.Equal(Load("gpt2small-shape", "mask_range80-90_seed42.npy").ToInt64s(), UnitSelection.RandomRange(t, 80, 90, k, 42));
        Assert.Equal(Load("gpt2small-shape", "mask_random_lesion_seed42.npy").ToInt64s(), UnitSelection.RandomLesionMask(top, 42));
    }

    [Theory]
    [InlineData(1.0, 48, 3, 1)]
    [InlineData(1.0, 768, 12, 92)]
    [InlineData(1.0, 1600, 48, 768)]
    [InlineData(0.5, 4096, 32, 655)]
    public void PercentageToUnitCountTruncatesLikePython(double percentage, int hidden, int layers, int expected)
    {
        Assert.Equal(expected, UnitSelection.NumUnitsFromPercentage(percentage, hidden, layers));
    }
}
