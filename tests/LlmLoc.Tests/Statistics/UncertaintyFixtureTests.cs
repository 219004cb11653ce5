using System.Security.Cryptography;
using System.Text.Json;
using LlmLoc.Numerics;
using LlmLoc.Statistics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Statistics;

/// <summary>
/// Uncertainty against tests/fixtures/uncertainty/uncertainty.json, written by make_uncertainty_fixtures.py beside it
/// with numpy 1.24 / scipy 1.10 (lm-evaluation-harness's mean_stderr formula, RandomState.randint resamples,
/// np.percentile intervals). Resample indices must be bit-identical; floats agree to 1e-12.
/// </summary>
public class UncertaintyFixtureTests
{
    internal static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(Shared.RepoRoot, "tests", "fixtures", "uncertainty", "uncertainty.json"))).RootElement;

    internal static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
    internal static double? NullableDouble(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    internal static void Close(double expected, double actual, double tolerance = 1e-12) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    internal static void Close(JsonElement expected, Interval actual, double tolerance = 1e-12)
    {
        Close(expected.GetProperty("low").GetDouble(), actual.Low, tolerance);
        Close(expected.GetProperty("high").GetDouble(), actual.High, tolerance);
    }

    public static TheoryData<string> StderrCases => new(Fixture.GetProperty("stderr").EnumerateObject().Select(p => p.Name));

    [Theory, MemberData(nameof(StderrCases))]
    public void MeanStandardErrorIsTheHarnessFormula(string name)
    {
        var c = Fixture.GetProperty("stderr").GetProperty(name);
        double[] scores = Doubles(c.GetProperty("scores"));
        double? se = Uncertainty.MeanStandardError(scores);
        double? expected = NullableDouble(c.GetProperty("stderr"));
        Assert.Equal(expected is null, se is null);
        if (expected is null) return;
        Close(expected.Value, se!.Value);
        var ci = Uncertainty.NormalInterval(scores.Average(), se.Value);
        Close(c.GetProperty("ci95"), ci);
    }

    [Fact]
    public void UnweightedMeanStandardErrorIsRootSumOfSquaresOverK()
    {
        foreach (var c in Fixture.GetProperty("unweighted_mean_stderr").EnumerateArray())
        {
            var parts = c.GetProperty("stderrs").EnumerateArray().Select(NullableDouble).ToList();
            double? expected = NullableDouble(c.GetProperty("stderr"));
            double? actual = Uncertainty.StandardErrorOfUnweightedMean(parts);
            Assert.Equal(expected is null, actual is null);
            if (expected is { } e) Close(e, actual!.Value);
        }
    }

    public static TheoryData<int> IndexCases => new(Enumerable.Range(0, Fixture.GetProperty("resample_indices").GetArrayLength()));

    [Theory, MemberData(nameof(IndexCases))]
    public void ResampleIndicesAreNumpysRandint(int caseIndex)
    {
        var c = Fixture.GetProperty("resample_indices")[caseIndex];
        uint seed = c.GetProperty("seed").GetUInt32();
        int samples = c.GetProperty("samples").GetInt32(), n = c.GetProperty("items").GetInt32();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long[]? first = null, last = null;
        long sum = 0;
        var bytes = new byte[n * sizeof(long)];
        Uncertainty.ForEachResample(n, samples, seed, (b, indices) =>
        {
            if (b == 0) first = indices[..Math.Min(50, n)];
            if (b == samples - 1) last = indices[Math.Max(0, n - 50)..];
            foreach (long i in indices) sum += i;
            for (int j = 0; j < n; j++) BitConverter.TryWriteBytes(bytes.AsSpan(j * sizeof(long)), indices[j]); // little-endian int64
            sha.AppendData(bytes);
        });
        Assert.Equal(c.GetProperty("first_row_head").EnumerateArray().Select(e => e.GetInt64()), first!);
        Assert.Equal(c.GetProperty("last_row_tail").EnumerateArray().Select(e => e.GetInt64()), last!);
        Assert.Equal(c.GetProperty("sum").GetInt64(), sum);
        Assert.Equal(c.GetProperty("sha256_int64_le").GetString(), Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    [Fact]
    public void ArrayRandIntContinuesTheScalarStream()
    {
        // randint(0, n, size) and n scalar randint(0, n) calls consume the generator identically.
        var array = new long[1000];
        new NumpyLegacyRandom(5).RandInt(0, 37, array);
        var scalar = new NumpyLegacyRandom(5);
        Assert.Equal(array, Enumerable.Range(0, 1000).Select(_ => scalar.RandInt(0, 37)));
    }

    [Theory]
    [InlineData("mean_binary_n20")]
    [InlineData("mean_real_n50")]
    public void PercentileBootstrapOfAMeanMatchesNumpy(string name)
    {
        var c = Fixture.GetProperty("bootstrap").GetProperty(name);
        double[] x = Doubles(c.GetProperty("scores"));
        uint seed = c.GetProperty("seed").GetUInt32();
        int samples = c.GetProperty("samples").GetInt32();
        ResampleStatistic mean = indices => { double s = 0; foreach (long i in indices) s += x[i]; return s / indices.Length; };
        double[] replicates = Uncertainty.BootstrapReplicates(x.Length, mean, samples, seed);
        var expectedFirst = Doubles(c.GetProperty("first_replicates"));
        for (int i = 0; i < expectedFirst.Length; i++) Close(expectedFirst[i], replicates[i]);
        Close(c.GetProperty("ci95"), Uncertainty.Bootstrap(x.Length, mean, samples, seed));
    }

    [Fact]
    public void PairedDifferenceBootstrapMatchesNumpy()
    {
        var c = Fixture.GetProperty("bootstrap").GetProperty("paired_n36");
        var (difference, ci) = Uncertainty.PairedDifference(Doubles(c.GetProperty("a")), Doubles(c.GetProperty("b")),
            c.GetProperty("samples").GetInt32(), c.GetProperty("seed").GetUInt32());
        Close(c.GetProperty("difference").GetDouble(), difference);
        Close(c.GetProperty("ci95"), ci);
    }

    [Fact]
    public void RatioStatisticBootstrapMatchesNumpy()
    {
        // Perplexity of resampled windows: exp(Σ tokens·loss / Σ tokens).
        var c = Fixture.GetProperty("bootstrap").GetProperty("perplexity_n15");
        double[] tokens = Doubles(c.GetProperty("tokens")), loss = Doubles(c.GetProperty("loss"));
        ResampleStatistic perplexity = indices =>
        {
            double weighted = 0, count = 0;
            foreach (long i in indices) { weighted += tokens[i] * loss[i]; count += tokens[i]; }
            return Math.Exp(weighted / count);
        };
        Close(c.GetProperty("ci95"), Uncertainty.Bootstrap(tokens.Length, perplexity, c.GetProperty("samples").GetInt32(), c.GetProperty("seed").GetUInt32()));
    }

    [Fact]
    public void EmpiricalRankCountsControlsAtLeastAsLarge()
    {
        foreach (var c in Fixture.GetProperty("rank").EnumerateArray())
        {
            var rank = Uncertainty.RankAmongControls(c.GetProperty("observed").GetDouble(), Doubles(c.GetProperty("controls")));
            Assert.Equal(c.GetProperty("k").GetInt32(), rank.K);
            Assert.Equal(c.GetProperty("n").GetInt32(), rank.N);
            Assert.Equal(c.GetProperty("p").GetDouble(), rank.P);
            Assert.Equal(1.0 / (rank.N + 1), rank.SmallestP);
        }
    }

    [Fact]
    public void TiesWithinTheToleranceCountAsAtLeastAsLarge()
    {
        // (0.1 + 0.2) + 0.3 and (0.3 + 0.2) + 0.1 differ in the last bit; equal harms must not be split by rounding.
        double observed = 0.1 + 0.2 + 0.3, control = 0.3 + 0.2 + 0.1;
        Assert.True(control < observed);
        Assert.Equal(0, Uncertainty.RankAmongControls(observed, [control]).K);
        Assert.Equal(1, Uncertainty.RankAmongControls(observed, [control], relativeTolerance: 1e-12).K);
    }

    [Fact]
    public void ABootstrapNeedsTwoItems()
    {
        var e = Assert.Throws<ArgumentException>(() => Uncertainty.Bootstrap(1, _ => 0, 10, 0));
        Assert.Contains("at least 2 items (got 1)", e.Message);
        Assert.Null(Uncertainty.MeanStandardError([1.0]));
    }
}
