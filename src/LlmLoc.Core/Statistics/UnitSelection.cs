using System.Globalization;
using LlmLoc.Numerics;

namespace LlmLoc.Statistics;

/// <summary>
/// localize.py's and generate_lesion.py's ways of turning t-values into an int64 0/1 mask (same length as t,
/// flattened layers × hidden in C order).
/// </summary>
public static class UnitSelection
{
    /// <summary>localize.py's <c>int(percentage / 100 * hidden_dim * num_layers)</c>, in float64 like Python.</summary>
    public static int NumUnitsFromPercentage(double percentage, int hiddenSize, int layers)
    {
        double units = percentage / 100.0 * hiddenSize * layers;
        if (double.IsNaN(units) || units < 0 || units >= int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(percentage), $"percentage {percentage} gives no valid unit count");
        return (int)units;
    }

    /// <summary>
    /// Units whose rank in <c>np.unique(-t)</c> is below k: k counts DISTINCT values, so ties may select more than k
    /// units. NaNs fold into one value ranked last, so they are selected only when t has fewer than k distinct values.
    /// </summary>
    public static long[] TopK(ReadOnlySpan<double> t, int k) => DistinctRankMask(t, k, largestFirst: true);

    /// <summary>Units whose rank in <c>np.unique(t)</c> is below k (same tie and NaN rules as <see cref="TopK"/>).</summary>
    public static long[] BottomK(ReadOnlySpan<double> t, int k) => DistinctRankMask(t, k, largestFirst: false);

    static long[] DistinctRankMask(ReadOnlySpan<double> t, int k, bool largestFirst)
    {
        var mask = new long[t.Length];
        if (k <= 0)
            return mask;
        var finiteOrInfinite = new List<double>(t.Length);
        foreach (double v in t)
            if (!double.IsNaN(v)) finiteOrInfinite.Add(v);
        double[] sorted = finiteOrInfinite.ToArray();
        Array.Sort(sorted);
        if (largestFirst)
            Array.Reverse(sorted);

        // Walk the distinct values in rank order until the k-th one (or run out).
        int distinct = 0;
        double threshold = double.NaN;
        for (int i = 0; i < sorted.Length && distinct < k; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
            {
                distinct++;
                threshold = sorted[i];
            }
        }
        bool nanSelected = distinct < k; // the NaN group's rank equals the number of distinct non-NaN values
        for (int i = 0; i < t.Length; i++)
        {
            double v = t[i];
            bool selected = double.IsNaN(v)
                ? nanSelected
                : distinct < k || (largestFirst ? v >= threshold : v <= threshold);
            mask[i] = selected ? 1 : 0;
        }
        return mask;
    }

    /// <summary>
    /// localize.py's selection for a range of percentiles (100-100 top, 0-0 bottom, else a seeded draw in the range);
    /// units with NaN t (which the original cannot cache) are never selected: <paramref name="nanDropped"/> counts those
    /// a tie put inside the selection.
    /// </summary>
    public static long[] Select(double[] t, double lowPercentile, double highPercentile, int units, int seed, out int nanDropped)
    {
        // ±inf t (both groups constant, means apart) still rank; NaN t (constant and equal) cannot.
        int finite = t.Count(v => !double.IsNaN(v));
        if (finite < units)
            throw new LlmLocException($"only {finite} of {t.Length} units have a t-value that is not NaN, fewer than the {units} to select " +
                "(the activations do not differ between the conditions); select fewer units or check the model and stimuli", ExitCodes.RuntimeError);
        long[] mask = (lowPercentile, highPercentile) switch
        {
            (100, 100) => TopK(t, units),
            (0, 0) => BottomK(t, units),
            _ => RandomRange(t, lowPercentile, highPercentile, units, seed),
        };
        nanDropped = 0;
        for (int i = 0; i < t.Length; i++)
            if (mask[i] != 0 && double.IsNaN(t[i])) { mask[i] = 0; nanDropped++; }
        return mask;
    }

    /// <summary>
    /// localize.py's range branch: <c>np.random.seed(seed)</c>; bounds <c>np.percentile(t, lo)</c> and
    /// <c>np.percentile(t, hi)</c>; the flattened indices with lo_v ≤ t ≤ hi_v; <c>np.random.choice(indices,
    /// numUnits, replace=False)</c> (legacy: permutation of all eligible indices, first numUnits kept).
    /// Where NaN or infinite t-values make numpy's bounds NaN (the original then crashes), the bounds are taken over
    /// the finite t-values instead, so non-finite units are never selected; otherwise the result is the original's.
    /// </summary>
    public static long[] RandomRange(ReadOnlySpan<double> t, double lowPercentile, double highPercentile, int numUnits, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numUnits);
        var rng = new NumpyLegacyRandom(CheckedSeed(seed));
        double[] bounds = NumpyPercentile.Compute(t, [lowPercentile, highPercentile]);
        double low = bounds[0], high = bounds[1];
        if (double.IsNaN(low) || double.IsNaN(high))
        {
            double[] finite = t.ToArray().Where(double.IsFinite).ToArray();
            if (finite.Length > 0)
                (low, high) = (NumpyPercentile.Compute(finite, lowPercentile), NumpyPercentile.Compute(finite, highPercentile));
        }
        var eligible = new List<long>();
        for (int i = 0; i < t.Length; i++)
            if (low <= t[i] && t[i] <= high)
                eligible.Add(i);

        if (numUnits > eligible.Count)
        {
            string range = $"{Format(lowPercentile)}-{Format(highPercentile)}";
            string why = double.IsNaN(low) || double.IsNaN(high)
                ? $" (the percentile bounds are NaN because some t-values are NaN or infinite)"
                : $" (t between {Format(low)} and {Format(high)})";
            throw new LlmLocException(
                $"the localize range {range} holds {eligible.Count} units{why} but {numUnits} units were requested; " +
                "widen the range (--localize-range) or ask for fewer units (--percentage / --num-units)");
        }

        long[] chosen = rng.ChoiceWithoutReplacement(eligible.ToArray(), numUnits);
        return MaskFromIndices(t.Length, chosen);
    }

    /// <summary>
    /// generate_lesion.py <c>--network random</c>: the indices outside the language mask (<c>(1 - mask).astype(bool)</c>),
    /// <c>np.random.seed(seed)</c>, <c>np.random.choice(those, size=mask.sum(), replace=False)</c>.
    /// </summary>
    public static long[] RandomLesionMask(ReadOnlySpan<long> languageMask, int seed, string network = "language")
    {
        var rng = new NumpyLegacyRandom(CheckedSeed(seed));
        var outside = new List<long>();
        long size = 0;
        for (int i = 0; i < languageMask.Length; i++)
        {
            size += languageMask[i];
            if (languageMask[i] != 1)
                outside.Add(i);
        }
        if (size < 0 || size > outside.Count)
            throw new LlmLocException(
                $"a random mask of the same size as the {network} mask needs {size} units outside it, but only {outside.Count} " +
                $"units lie outside it; use a smaller {network} mask (lower --percentage or --num-units)");
        long[] chosen = rng.ChoiceWithoutReplacement(outside.ToArray(), (int)size);
        return MaskFromIndices(languageMask.Length, chosen);
    }

    static long[] MaskFromIndices(int length, long[] indices)
    {
        var mask = new long[length];
        foreach (long index in indices)
            mask[index] = 1;
        return mask;
    }

    static uint CheckedSeed(int seed) => seed >= 0
        ? (uint)seed
        : throw new LlmLocException($"seed {seed} is negative; numpy seeds must be between 0 and 2**32 - 1: pass a non-negative --seed", ExitCodes.Usage);

    static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
