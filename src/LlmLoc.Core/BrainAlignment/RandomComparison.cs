using LlmLoc.Statistics;

namespace LlmLoc.BrainAlignment;

/// <summary>
/// Language units vs N random unit sets of the same size: the difference language − mean(random), its 95 % percentile
/// bootstrap interval over the random sets (<see cref="Uncertainty"/>: resample b = row b of numpy's
/// <c>RandomState(seed).randint(0, N, (B, N))</c>, then <c>np.percentile(…, [2.5, 97.5])</c>), and how many random sets
/// score at least as well: k of N, with the empirical p = (k + 1) / (N + 1), which cannot go below 1 / (N + 1) —
/// the same statistics evaluate reports for its lesions.
/// </summary>
public sealed record RandomComparison(double Language, double[] Random, double Difference, double? IntervalLow, double? IntervalHigh,
    int BootstrapSamples, int BootstrapSeed, int AtLeastAsGood)
{
    public const int DefaultBootstrapSamples = Uncertainty.DefaultBootstrapSamples;

    public int RandomSets => Random.Length;
    public double P => new EmpiricalRank(AtLeastAsGood, RandomSets).P;
    public double SmallestP => new EmpiricalRank(AtLeastAsGood, RandomSets).SmallestP;

    /// <summary>The comparison; no interval with fewer than two random sets (every resample would be the same set).</summary>
    public static RandomComparison Of(double language, IReadOnlyList<double> random, int seed, int samples = DefaultBootstrapSamples)
    {
        if (random.Count == 0) throw new ArgumentException("no random sets to compare with", nameof(random));
        double[] values = [.. random];
        Interval? interval = values.Length >= Uncertainty.MinimumBootstrapItems
            ? Uncertainty.Bootstrap(values.Length, indices =>
            {
                double sum = 0;
                foreach (long i in indices) sum += values[i];
                return language - sum / indices.Length;
            }, samples, checked((uint)seed))
            : null;
        var rank = Uncertainty.RankAmongControls(language, values);
        return new RandomComparison(language, values, language - values.Average(), interval?.Low, interval?.High, samples, seed, rank.K);
    }
}
