namespace LlmLoc.Masks;

/// <summary>How a stimulus' block outputs become one vector per layer (<c>--pooling</c>).</summary>
public enum Pooling
{
    /// <summary>The block output at the stimulus' last real token ("last-token").</summary>
    LastToken,
    /// <summary>The mean over the stimulus' real tokens ("mean").</summary>
    Mean,
}

public static class PoolingNames
{
    /// <summary>The <c>--pooling</c> values, in the order help lists them.</summary>
    public static readonly string[] All = [Pooling.LastToken.ToFlag(), Pooling.Mean.ToFlag()];

    public static string ToFlag(this Pooling pooling) => pooling switch
    {
        Pooling.LastToken => "last-token",
        Pooling.Mean => "mean",
        _ => throw new ArgumentOutOfRangeException(nameof(pooling)),
    };

    public static Pooling Parse(string flag) => flag switch
    {
        "last-token" => Pooling.LastToken,
        "mean" => Pooling.Mean,
        _ => throw new LlmLocException($"unknown --pooling '{flag}': use last-token or mean", ExitCodes.Usage),
    };
}
