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
    public static LocalizerStatistics Compute(ReadOnlyMemory<double> positive, ReadOnlyMemory<double> negative, int layers, int hiddenSize)
    {
        CheckShape(layers, hiddenSize);
        CheckFinite(positive, "positive", layers, hiddenSize);
        CheckFinite(negative, "negative", layers, hiddenSize);
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

    static void CheckShape(int layers, int hiddenSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
    }

    /// <summary>NaN or infinite activations (a diverged model, NaN weights) would give a meaningless mask: refuse them.
    /// Fewer than two items in a condition leave the t-test undefined.</summary>
    static void CheckFinite(ReadOnlyMemory<double> memory, string condition, int layers, int hiddenSize)
    {
        var activations = memory.Span;
        int units = layers * hiddenSize;
        if (activations.Length / units < 2)
            throw new LlmLocException($"the {condition} condition has {activations.Length / units} item(s); the t-test needs at least 2 per condition: check the stimuli");
        int bad = -1;
        for (int i = 0; i < activations.Length && bad < 0; i++)
            if (!double.IsFinite(activations[i])) bad = i;
        if (bad >= 0)
            throw new LlmLocException($"the model produced a non-finite activation ({activations[bad]}) in layer {bad % units / hiddenSize} for a {condition} stimulus; " +
                "its weights are NaN/Inf or it diverges on this input: check the checkpoint (or use a float32 --device cpu run)", ExitCodes.RuntimeError);
    }
}
