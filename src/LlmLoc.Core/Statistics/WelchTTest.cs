using System.Numerics;
using System.Runtime.InteropServices;

namespace LlmLoc.Statistics;

/// <summary>Per-unit t statistic, two-sided p-value and Welch–Satterthwaite degrees of freedom.</summary>
public sealed record WelchTTestResult(double[] T, double[] P, double[] DegreesOfFreedom);

/// <summary>
/// Welch's unequal-variance t-test per unit, as SciPy 1.10's <c>ttest_ind(a, b, axis=0, equal_var=False)</c>, computed
/// in float64: means summed row by row in sample order (numpy's axis-0 reduction order), variance as scipy's
/// <c>mean((x − mean)²) · n/(n − 1)</c>, df set to 1 where it is undefined (both variances zero), so t = ±inf with
/// p = 0 when the means differ there and NaN when they are equal.
/// </summary>
public static class WelchTTest
{
    /// <summary>Units per work block: long contiguous row segments keep the two passes memory-bandwidth bound.</summary>
    const int BlockUnits = 16384;

    /// <param name="positive">Row-major [nPositive × units] samples.</param>
    /// <param name="negative">Row-major [nNegative × units] samples.</param>
    /// <param name="units">Number of units (columns).</param>
    /// <param name="absolute">Test |x| instead of x (localize.py tests absolute activations) without copying the data.</param>
    public static WelchTTestResult Compute(ReadOnlyMemory<double> positive, ReadOnlyMemory<double> negative, int units, bool absolute = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        if (units == 0 || positive.Length % units != 0 || negative.Length % units != 0)
            throw new ArgumentException($"sample arrays of lengths {positive.Length} and {negative.Length} are not whole rows of {units} units");
        int nPositive = positive.Length / units, nNegative = negative.Length / units;
        var t = new double[units];
        var p = new double[units];
        var df = new double[units];
        int blocks = (units + BlockUnits - 1) / BlockUnits;
        Parallel.For(0, blocks, block =>
        {
            int start = block * BlockUnits;
            int count = Math.Min(BlockUnits, units - start);
            var mean1 = new double[count];
            var var1 = new double[count];
            var mean2 = new double[count];
            var var2 = new double[count];
            MeanAndVariance(positive, nPositive, units, start, absolute, mean1, var1);
            MeanAndVariance(negative, nNegative, units, start, absolute, mean2, var2);
            for (int j = 0; j < count; j++)
            {
                double vn1 = var1[j] / nPositive;
                double vn2 = var2[j] / nNegative;
                double sum = vn1 + vn2;
                double dof = sum * sum / (vn1 * vn1 / (nPositive - 1) + vn2 * vn2 / (nNegative - 1));
                if (double.IsNaN(dof))
                    dof = 1.0;
                double tj = (mean1[j] - mean2[j]) / Math.Sqrt(sum);
                t[start + j] = tj;
                df[start + j] = dof;
                p[start + j] = StudentT.TwoSidedP(tj, dof);
            }
        });
        return new WelchTTestResult(t, p, df);
    }

    /// <summary>
    /// Mean and ddof=1 variance of the columns [start, start + count). Vector lanes do the same IEEE operations per
    /// column as the scalar loop (no fused multiply-add), so results are bit-identical to a plain loop.
    /// </summary>
    static void MeanAndVariance(ReadOnlyMemory<double> memory, int rows, int units, int start, bool absolute, double[] mean, double[] variance)
    {
        var data = memory.Span;
        int count = mean.Length;
        Array.Clear(mean);
        Array.Clear(variance);
        for (int r = 0; r < rows; r++)
            Accumulate(data.Slice(r * units + start, count), mean, absolute);
        for (int j = 0; j < count; j++) mean[j] /= rows;
        for (int r = 0; r < rows; r++)
            AccumulateSquaredDeviation(data.Slice(r * units + start, count), mean, variance, absolute);
        double ddofFactor = (double)rows / (rows - 1);
        for (int j = 0; j < count; j++) variance[j] = variance[j] / rows * ddofFactor;
    }

    static void Accumulate(ReadOnlySpan<double> values, Span<double> sum, bool absolute)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var rowVectors = MemoryMarshal.Cast<double, Vector<double>>(values);
            var sumVectors = MemoryMarshal.Cast<double, Vector<double>>(sum);
            for (int v = 0; v < rowVectors.Length; v++)
                sumVectors[v] += absolute ? Vector.Abs(rowVectors[v]) : rowVectors[v];
            j = rowVectors.Length * Vector<double>.Count;
        }
        for (; j < values.Length; j++) sum[j] += absolute ? Math.Abs(values[j]) : values[j];
    }

    static void AccumulateSquaredDeviation(ReadOnlySpan<double> values, ReadOnlySpan<double> mean, Span<double> sum, bool absolute)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var rowVectors = MemoryMarshal.Cast<double, Vector<double>>(values);
            var meanVectors = MemoryMarshal.Cast<double, Vector<double>>(mean);
            var sumVectors = MemoryMarshal.Cast<double, Vector<double>>(sum);
            for (int v = 0; v < rowVectors.Length; v++)
            {
                var deviation = (absolute ? Vector.Abs(rowVectors[v]) : rowVectors[v]) - meanVectors[v];
                sumVectors[v] += deviation * deviation;
            }
            j = rowVectors.Length * Vector<double>.Count;
        }
        for (; j < values.Length; j++)
        {
            double deviation = (absolute ? Math.Abs(values[j]) : values[j]) - mean[j];
            sum[j] += deviation * deviation;
        }
    }
}
