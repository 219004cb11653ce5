namespace LlmLoc.Statistics;

/// <summary>
/// <c>np.percentile(values, q)</c> with the default linear method (numpy 1.24), including its non-finite behaviour:
/// any NaN input gives NaN, and the interpolation <c>a + (b - a)·g</c> (or <c>b - (b - a)·(1 - g)</c> for g ≥ 0.5)
/// gives NaN next to an infinity even when the weight is 0.
/// </summary>
public static class NumpyPercentile
{
    public static double Compute(ReadOnlySpan<double> values, double q) => Compute(values, [q])[0];

    /// <summary>Several percentiles of the same data, sorting it once.</summary>
    public static double[] Compute(ReadOnlySpan<double> values, IReadOnlyList<double> qs)
    {
        if (values.Length == 0)
            throw new ArgumentException("cannot take a percentile of an empty array", nameof(values));
        foreach (double q in qs)
            if (!(q >= 0 && q <= 100))
                throw new ArgumentOutOfRangeException(nameof(qs), $"percentiles must be in the range [0, 100] (got {q})");

        var results = new double[qs.Count];
        foreach (double v in values)
            if (double.IsNaN(v))
            {
                Array.Fill(results, double.NaN);
                return results;
            }

        double[] sorted = values.ToArray();
        Array.Sort(sorted);
        for (int i = 0; i < qs.Count; i++)
            results[i] = FromSorted(sorted, qs[i]);
        return results;
    }

    static double FromSorted(double[] sorted, double q)
    {
        int n = sorted.Length;
        double virtualIndex = (n - 1) * (q / 100.0);
        double below, above, weight;
        if (virtualIndex >= n - 1)
        {
            // numpy points both neighbours at the last element (index -1) and keeps gamma = index - (-1).
            below = above = sorted[n - 1];
            weight = virtualIndex + 1.0;
        }
        else
        {
            double floor = Math.Floor(virtualIndex);
            int lower = (int)floor;
            below = sorted[lower];
            above = sorted[lower + 1];
            weight = virtualIndex - floor;
        }
        double difference = above - below;
        return weight >= 0.5 ? above - difference * (1.0 - weight) : below + difference * weight;
    }
}
