using LlmLoc.Tokenization;

namespace LlmLoc.Evaluation;

/// <summary>
/// What a text's first token is predicted from. A tokenizer that adds a BOS (Llama, Gemma, Mistral) gives its own
/// special prefix; one that adds nothing (GPT-2, Falcon) gets its BOS/EOS token (GPT-2: &lt;|endoftext|&gt;) as the
/// context, as lm-evaluation-harness does, so every token of the text is scored. Without either, the first token
/// has no context and is not scored.
/// </summary>
public sealed class ScoringContext
{
    public int[] ContextIds { get; }

    public ScoringContext(HfTokenizer tokenizer)
    {
        int[] prefix = SpecialPrefix(tokenizer);
        ContextIds = prefix.Length > 0 ? prefix
            : (tokenizer.BosTokenId ?? tokenizer.EosTokenId) is { } id ? [id]
            : [];
    }

    public ScoringContext(int[] contextIds) => ContextIds = contextIds;

    /// <summary>Context + tokens, scoring exactly the tokens (or all but the first when there is no context).</summary>
    public ScoringInput Wrap(IReadOnlyList<int> tokens) => new([.. ContextIds, .. tokens], Math.Max(1, ContextIds.Length));

    /// <summary>How many text tokens fit a window of <paramref name="windowSize"/> ids next to the context.</summary>
    public int TokensPerWindow(int windowSize) => windowSize - ContextIds.Length;

    /// <summary>The ids the post-processor puts before a text (found by encoding a probe with and without specials).</summary>
    static int[] SpecialPrefix(HfTokenizer tokenizer)
    {
        const string probe = "a";
        var with = tokenizer.Encode(probe, addSpecialTokens: true);
        var without = tokenizer.Encode(probe, addSpecialTokens: false);
        for (int offset = 0; offset + without.Count <= with.Count; offset++)
            if (with.Skip(offset).Take(without.Count).SequenceEqual(without))
                return with.Take(offset).ToArray();
        return [];
    }
}
