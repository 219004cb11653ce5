using LlmLoc.Numerics;

namespace LlmLoc.Statistics;

/// <summary>A two-sided interval [Low, High].</summary>
public readonly record struct Interval(double Low, double High);

/// <summary>Where an observed value ranks among N control values: <see cref="K"/> of the <see cref="N"/> controls
/// are at least as large; empirical p = (k + 1) / (N + 1), which is never below 1 / (N + 1).</summary>
public readonly record struct EmpiricalRank(int K, int N)
{
    public double P => (K + 1.0) / (N + 1.0);
    /// <summary>The smallest p that N controls can give: 1 / (N + 1).</summary>
    public double SmallestP => 1.0 / (N + 1.0);
}

/// <summary>A statistic of one resample, given the resampled item indices (may be called with a reused buffer).</summary>
public delegate double ResampleStatistic(ReadOnlySpan<long> indices);

/// <summary>
/// Standard errors, normal intervals, seeded percentile bootstraps and empirical ranks — the uncertainty of a score
/// computed over items (pairs, windows, sentences).
/// <list type="bullet">
/// <item>Standard error of a mean as lm-evaluation-harness's <c>mean_stderr</c> (lm_eval/api/metrics.py): the
/// sample standard deviation (n − 1) over √n; none for n &lt; 2 (the harness reports "N/A").</item>
/// <item>Resamples as numpy's <c>np.random.RandomState(seed).randint(0, n, (B, n))</c>, row b = resample b, drawn
/// one row at a time so B × n indices are never held at once.</item>
/// <item>Percentile intervals as <c>np.percentile(replicates, [2.5, 97.5])</c> (linear interpolation).</item>
/// </list>
/// </summary>
public static class Uncertainty
{
    /// <summary>The 97.5 % standard normal quantile, rounded as the usual 95 % interval states it (scipy's
    /// <c>norm.ppf(0.975)</c> = 1.95996398…).</summary>
    public const double NormalQuantile975 = 1.959964;

    /// <summary>Resamples per bootstrap unless asked otherwise.</summary>
    public const int DefaultBootstrapSamples = 10_000;

    /// <summary>A bootstrap needs at least this many items (with one, every resample is the same item).</summary>
    public const int MinimumBootstrapItems = 2;

    /// <summary>Standard error of the mean of 0/1 or real scores: sample sd (n − 1) / √n; null for fewer than 2.</summary>
    public static double? MeanStandardError(ReadOnlySpan<double> scores) =>
        scores.Length < 2 ? null
            : MathNet.Numerics.Statistics.ArrayStatistics.StandardDeviation(scores.ToArray()) / Math.Sqrt(scores.Length);

    /// <summary>
    /// Standard error of an unweighted mean of k independent estimates, √(Σ se²) / k; null when any is null (or k = 0).
    /// </summary>
    public static double? StandardErrorOfUnweightedMean(IReadOnlyCollection<double?> standardErrors)
    {
        if (standardErrors.Count == 0 || standardErrors.Any(se => se is null)) return null;
        return Math.Sqrt(standardErrors.Sum(se => se!.Value * se.Value)) / standardErrors.Count;
    }

    /// <summary>The normal 95 % interval estimate ± 1.959964 · se.</summary>
    public static Interval NormalInterval(double estimate, double standardError) =>
        new(estimate - NormalQuantile975 * standardError, estimate + NormalQuantile975 * standardError);

    /// <summary>
    /// Visits <paramref name="samples"/> resamples of <paramref name="itemCount"/> items with replacement: resample b
    /// is row b of <c>RandomState(seed).randint(0, itemCount, (samples, itemCount))</c>.
    /// </summary>
    public static void ForEachResample(int itemCount, int samples, uint seed, Action<int, long[]> visit)
    {
        CheckBootstrap(itemCount, samples);
        var rng = new NumpyLegacyRandom(seed);
        var indices = new long[itemCount];
        for (int b = 0; b < samples; b++)
        {
            rng.RandInt(0, itemCount, indices);
            visit(b, indices);
        }
    }

    /// <summary>The statistic on every resample (B replicates, in resample order).</summary>
    public static double[] BootstrapReplicates(int itemCount, ResampleStatistic statistic, int samples, uint seed)
    {
        var replicates = new double[samples];
        ForEachResample(itemCount, samples, seed, (b, indices) => replicates[b] = statistic(indices));
        return replicates;
    }

    /// <summary>
    /// Per series and resample, the sum of the series over the resampled items ([series][resample]): the building
    /// block of means, weighted means and ratios of several series bootstrapped on the same resamples.
    /// </summary>
    public static double[][] ResampledSums(IReadOnlyList<double[]> series, int samples, uint seed)
    {
        if (series.Count == 0) throw new ArgumentException("no series to resample", nameof(series));
        int n = series[0].Length;
        if (series.Any(s => s.Length != n)) throw new ArgumentException("every series needs one value per item", nameof(series));
        var sums = series.Select(_ => new double[samples]).ToArray();
        ForEachResample(n, samples, seed, (b, indices) =>
        {
            for (int s = 0; s < series.Count; s++)
            {
                double[] values = series[s];
                double sum = 0;
                foreach (long i in indices) sum += values[i];
                sums[s][b] = sum;
            }
        });
        return sums;
    }

    /// <summary>The 95 % percentile interval of bootstrap replicates: numpy's percentiles 2.5 and 97.5 (linear).</summary>
    public static Interval PercentileInterval(ReadOnlySpan<double> replicates)
    {
        double[] bounds = NumpyPercentile.Compute(replicates, [2.5, 97.5]);
        return new Interval(bounds[0], bounds[1]);
    }

    /// <summary>Percentile bootstrap interval of a statistic over items.</summary>
    public static Interval Bootstrap(int itemCount, ResampleStatistic statistic, int samples, uint seed) =>
        PercentileInterval(BootstrapReplicates(itemCount, statistic, samples, seed));

    /// <summary>
    /// The mean paired difference mean(a − b) over the same items and its percentile bootstrap interval (the items,
    /// i.e. the pairs (aᵢ, bᵢ), are resampled together).
    /// </summary>
    public static (double Difference, Interval Interval) PairedDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int samples, uint seed)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"paired scores need the same items (got {a.Length} and {b.Length})", nameof(b));
        var differences = new double[a.Length];
        for (int i = 0; i < a.Length; i++) differences[i] = a[i] - b[i];
        double[] sums = ResampledSums([differences], samples, seed)[0];
        for (int r = 0; r < sums.Length; r++) sums[r] /= a.Length;
        return (differences.Average(), PercentileInterval(sums));
    }

    /// <summary>
    /// How many controls are at least as large as the observed value (k of N, ties included) and the empirical p =
    /// (k + 1) / (N + 1). Values within <paramref name="relativeTolerance"/> of each other count as ties.
    /// </summary>
    public static EmpiricalRank RankAmongControls(double observed, IReadOnlyCollection<double> controls, double relativeTolerance = 0)
    {
        if (controls.Count == 0) throw new ArgumentException("no control values to rank among", nameof(controls));
        int k = controls.Count(c => c >= observed - relativeTolerance * Math.Max(Math.Abs(c), Math.Abs(observed)));
        return new EmpiricalRank(k, controls.Count);
    }

    static void CheckBootstrap(int itemCount, int samples)
    {
        if (itemCount < MinimumBootstrapItems)
            throw new ArgumentException($"a bootstrap needs at least {MinimumBootstrapItems} items (got {itemCount})", nameof(itemCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
    }
}
