using LlmLoc.Numerics;
using LlmLoc.Statistics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Statistics;

/// <summary>
/// Statistics and masks recomputed from the activations the ORIGINAL localize() extracted (fixtures/localize-e2e):
/// t, p and adjusted p within rtol 1e-10, and every cached mask exactly.
/// </summary>
public class LocalizeEndToEndStatsTests
{
    const int Layers = 3, Hidden = 48, Seed = 42;

    static NpyArray Load(params string[] parts) => Npy.Read(Shared.Fixture(["localize-e2e", .. parts]));

    static LocalizerStatistics Compute(string network, string pooling)
    {
        var positive = Load(network, pooling, "activations_positive.npy");
        var negative = Load(network, pooling, "activations_negative.npy");
        Assert.Equal([Layers, Hidden], positive.Shape[1..]);
        return LocalizerStatistics.Compute(positive.ToDoubles(), negative.ToDoubles(), Layers, Hidden);
    }

    static long[] CachedMask(string network, string pooling, string range, string perc, string nunits) =>
        Load("cache", $"tiny-gpt2_network={network}_pooling={pooling}_range={range}_perc={perc}_nunits={nunits}_pretrained=True.npy").ToInt64s();

    [Theory]
    [InlineData("language", "last-token")]
    [InlineData("language", "mean")]
    [InlineData("theory-of-mind", "last-token")]
    [InlineData("multiple-demand", "last-token")]
    public void StatisticsMatchTheOriginal(string network, string pooling)
    {
        var stats = Compute(network, pooling);
        Tolerance.AssertClose(Load(network, pooling, "t_values.npy").ToDoubles(), stats.T, what: "t");
        Tolerance.AssertClose(Load(network, pooling, "p_values.npy").ToDoubles(), stats.P, what: "p");
        Tolerance.AssertClose(Load(network, pooling, "p_adjusted.npy").ToDoubles(), stats.PAdjusted, what: "p_adjusted");
        Tolerance.AssertClose(Load("cache", $"tiny-gpt2_network={network}_pooling={pooling}_pretrained=True_pvalues.npy").ToDoubles(), stats.PAdjusted, what: "cached pvalues");
        Assert.Equal(0, stats.NanUnits);
    }

    [Theory]
    [InlineData("language", "last-token")]
    [InlineData("language", "mean")]
    [InlineData("theory-of-mind", "last-token")]
    [InlineData("multiple-demand", "last-token")]
    public void TopOnePercentMaskMatchesCache(string network, string pooling)
    {
        int k = UnitSelection.NumUnitsFromPercentage(1.0, Hidden, Layers);
        Assert.Equal(CachedMask(network, pooling, "100-100", "1.0", "None"), UnitSelection.TopK(Compute(network, pooling).T, k));
    }

    [Fact]
    public void BottomAndRangeMasksMatchCache()
    {
        double[] t = Compute("language", "last-token").T;
        int k = UnitSelection.NumUnitsFromPercentage(1.0, Hidden, Layers);
        Assert.Equal(CachedMask("language", "last-token", "0-0", "1.0", "None"), UnitSelection.BottomK(t, k));
        Assert.Equal(CachedMask("language", "last-token", "80-90", "1.0", "None"), UnitSelection.RandomRange(t, 80, 90, k, Seed));
        Assert.Equal(CachedMask("language", "last-token", "0-0", "None", "10"), UnitSelection.BottomK(t, 10));
        Assert.Equal(CachedMask("language", "last-token", "80-90", "None", "10"), UnitSelection.RandomRange(t, 80, 90, 10, Seed));
    }
}
