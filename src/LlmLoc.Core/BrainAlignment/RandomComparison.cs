using LlmLoc.Numerics;
using LlmLoc.Statistics;

namespace LlmLoc.BrainAlignment;

/// <summary>
/// Language units vs N random unit sets of the same size: the difference language − mean(random), its 95 % percentile
/// bootstrap interval over the random sets (resample b = row b of numpy's <c>RandomState(seed).randint(0, N, (B, N))</c>,
/// then <c>np.percentile(…, [2.5, 97.5])</c>), and how many random sets score at least as well: k of N, with the
/// empirical p = (k + 1) / (N + 1), which cannot go below 1 / (N + 1).
/// </summary>
/// <remarks>The minimal version of evaluate's language-vs-random statistics (Statistics/Uncertainty.cs, issue 24 part
/// 1, not yet on main when this was written); the two are to be unified.</remarks>
public sealed record RandomComparison(double Language, double[] Random, double Difference, double? IntervalLow, double? IntervalHigh,
    int BootstrapSamples, int BootstrapSeed, int AtLeastAsGood)
{
    public const int DefaultBootstrapSamples = 10_000;

    public int RandomSets => Random.Length;
    public double P => (AtLeastAsGood + 1.0) / (RandomSets + 1.0);
    public double SmallestP => 1.0 / (RandomSets + 1.0);

    /// <summary>The comparison; no interval with fewer than two random sets (every resample would be the same set).</summary>
    public static RandomComparison Of(double language, IReadOnlyList<double> random, int seed, int samples = DefaultBootstrapSamples)
    {
        if (random.Count == 0) throw new ArgumentException("no random sets to compare with", nameof(random));
        double[] values = [.. random];
        double? low = null, high = null;
        if (values.Length >= 2)
        {
            var rng = new NumpyLegacyRandom(checked((uint)seed));
            var differences = new double[samples];
            for (int b = 0; b < samples; b++)
            {
                double sum = 0;
                for (int k = 0; k < values.Length; k++) sum += values[rng.RandInt(0, values.Length)];
                differences[b] = language - sum / values.Length;
            }
            double[] bounds = NumpyPercentile.Compute(differences, [2.5, 97.5]);
            (low, high) = (bounds[0], bounds[1]);
        }
        return new RandomComparison(language, values, language - values.Average(), low, high, samples, seed, values.Count(r => r >= language));
    }
}
