using static TorchSharp.torch;

namespace LlmLoc.Generation;

/// <summary>The warper list transformers 4.44 builds for <c>do_sample=True</c>, and its application.</summary>
public static class LogitsWarpers
{
    /// <summary>
    /// Temperature, then top-k, then top-p, each left out when it would change nothing (temperature 1, top_k 0,
    /// top_p 1), as <c>GenerationMixin._get_logits_warper</c> does. min_tokens_to_keep is 1 (no beam search).
    /// </summary>
    public static IReadOnlyList<LogitsWarper> For(double temperature, int topK, double topP)
    {
        // transformers silently skips a top_p above 1; a typo like 9 for 0.9 is better reported.
        if (topP > 1.0) _ = new TopPWarper(topP);
        var warpers = new List<LogitsWarper>();
        if (temperature != 1.0) warpers.Add(new TemperatureWarper(temperature));
        if (topK != 0) warpers.Add(new TopKWarper(topK));
        if (topP < 1.0) warpers.Add(new TopPWarper(topP));
        return warpers;
    }

    /// <summary>Applies the warpers in order to scores [batch, vocab]; returns a new tensor.</summary>
    public static Tensor Apply(IEnumerable<LogitsWarper> warpers, Tensor scores)
    {
        using var scope = NewDisposeScope();
        var current = scores.alias();
        foreach (var warper in warpers) current = warper.Apply(current);
        return scope.MoveToOuter(current);
    }
}
