using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Generation;

/// <summary>
/// One step of transformers' sampling pipeline: rewrites float32 scores [batch, vocab]; removed tokens become -inf
/// (so softmax gives them probability 0). Each returns a new tensor and leaves its input untouched.
/// </summary>
public abstract record LogitsWarper
{
    public abstract Tensor Apply(Tensor scores);
}

/// <summary>Divides the scores by the temperature (transformers' TemperatureLogitsWarper).</summary>
public sealed record TemperatureWarper : LogitsWarper
{
    public double Temperature { get; }

    public TemperatureWarper(double temperature)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new LlmLocException(
                $"the sampling temperature must be a strictly positive number, got {temperature}; pass e.g. --temperature 0.7",
                ExitCodes.Usage);
        Temperature = temperature;
    }

    public override Tensor Apply(Tensor scores) => scores / Temperature;
}

/// <summary>
/// Keeps every score >= the k-th largest one (transformers' TopKLogitsWarper): a tie at the boundary keeps more
/// than k tokens.
/// </summary>
public sealed record TopKWarper : LogitsWarper
{
    public int TopK { get; }
    public int MinTokensToKeep { get; }

    public TopKWarper(int topK, int minTokensToKeep = 1)
    {
        if (topK <= 0)
            throw new LlmLocException($"top-k must be a positive integer (0 disables it), got {topK}; pass e.g. --top-k 50",
                ExitCodes.Usage);
        TopK = topK;
        MinTokensToKeep = minTokensToKeep;
    }

    public override Tensor Apply(Tensor scores)
    {
        using var scope = NewDisposeScope();
        long k = Math.Min(Math.Max(TopK, MinTokensToKeep), scores.shape[^1]);
        var kthLargest = scores.topk((int)k, dim: -1).values.narrow(-1, k - 1, 1);
        var removed = scores.lt(kthLargest);
        return scope.MoveToOuter(scores.masked_fill(removed, float.NegativeInfinity));
    }
}

/// <summary>
/// Nucleus filtering (transformers' TopPLogitsWarper): sorts ascending, removes the tokens whose cumulative
/// probability is <= 1 - top_p, but always keeps the <see cref="MinTokensToKeep"/> most likely ones.
/// </summary>
public sealed record TopPWarper : LogitsWarper
{
    public double TopP { get; }
    public int MinTokensToKeep { get; }

    public TopPWarper(double topP, int minTokensToKeep = 1)
    {
        if (!(topP >= 0 && topP <= 1))
            throw new LlmLocException($"top-p must be a number between 0 and 1 (1 disables it), got {topP}; pass e.g. --top-p 0.9",
                ExitCodes.Usage);
        TopP = topP;
        MinTokensToKeep = minTokensToKeep;
    }

    public override Tensor Apply(Tensor scores)
    {
        using var scope = NewDisposeScope();
        var (sorted, order) = scores.sort(dim: -1, descending: false);
        var cumulative = sorted.softmax(-1).cumsum(-1);
        // The comparison runs in float32 against (1 - top_p), exactly like torch's `cumulative <= 1 - top_p`.
        var sortedRemoved = cumulative.le(1 - TopP);
        var vocab = scores.shape[^1];
        var keep = Math.Min(MinTokensToKeep, vocab);
        sortedRemoved[.., (int)(vocab - keep)..] = false;
        var removed = sortedRemoved.scatter(-1, order, sortedRemoved);
        return scope.MoveToOuter(scores.masked_fill(removed, float.NegativeInfinity));
    }
}
