namespace LlmLoc.Statistics;

/// <summary>
/// The statistics localize.py computes from the activations of the two stimulus sets: Welch t and p per unit on the
/// absolute activations, and Benjamini–Hochberg adjusted p over all units. Arrays are [layers × hidden] in C order.
/// </summary>
public sealed class LocalizerStatistics
{
    public required int Layers { get; init; }
    public required int HiddenSize { get; init; }
    public required double[] T { get; init; }
    public required double[] P { get; init; }
    public required double[] PAdjusted { get; init; }
    /// <summary>Units whose p-value is NaN (constant and equal in both groups); left out of the FDR ranking.</summary>
    public required int NanUnits { get; init; }

    /// <param name="positive">Activations [nPositive × layers × hidden], row-major.</param>
    /// <param name="negative">Activations [nNegative × layers × hidden], row-major.</param>
    public static LocalizerStatistics Compute(double[] positive, double[] negative, int layers, int hiddenSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        // Each unit is tested on its own column, so the per-layer calls of the original equal one call over all units.
        var test = WelchTTest.Compute(positive, negative, layers * hiddenSize, absolute: true);
        double[] adjusted = BenjaminiHochberg.Adjust(test.P, out int nanUnits);
        return new LocalizerStatistics
        {
            Layers = layers,
            HiddenSize = hiddenSize,
            T = test.T,
            P = test.P,
            PAdjusted = adjusted,
            NanUnits = nanUnits,
        };
    }
}
