namespace LlmLoc.Statistics;

/// <summary>
/// Benjamini–Hochberg adjusted p-values, as SciPy 1.11's <c>false_discovery_control(ps)</c> (method 'bh'):
/// sort ascending, multiply the i-th smallest by m / i, take the running minimum from the largest down, clip to [0, 1].
/// Unlike SciPy (which rejects NaN), NaN inputs stay NaN and are left out of the ranking: m counts the non-NaN values.
/// </summary>
public static class BenjaminiHochberg
{
    public static double[] Adjust(ReadOnlySpan<double> p) => Adjust(p, out _);

    /// <param name="nanCount">How many inputs were NaN (and are NaN in the result).</param>
    public static double[] Adjust(ReadOnlySpan<double> p, out int nanCount)
    {
        var result = new double[p.Length];
        var order = new List<int>(p.Length);
        nanCount = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double value = p[i];
            if (double.IsNaN(value))
            {
                result[i] = double.NaN;
                nanCount++;
                continue;
            }
            if (value < 0 || value > 1)
                throw new ArgumentException($"p-values must lie between 0 and 1 (found {value} at index {i})", nameof(p));
            order.Add(i);
        }

        int m = order.Count;
        int[] sortedIndex = order.ToArray();
        var sorted = new double[m];
        for (int k = 0; k < m; k++) sorted[k] = p[sortedIndex[k]];
        // Ties get the same adjusted value whatever their order, so an unstable sort is fine.
        Array.Sort(sorted, sortedIndex);

        for (int k = 0; k < m; k++)
            sorted[k] *= (double)m / (k + 1);
        for (int k = m - 2; k >= 0; k--)
            sorted[k] = Math.Min(sorted[k], sorted[k + 1]);
        for (int k = 0; k < m; k++)
            result[sortedIndex[k]] = Math.Clamp(sorted[k], 0.0, 1.0);
        return result;
    }
}
