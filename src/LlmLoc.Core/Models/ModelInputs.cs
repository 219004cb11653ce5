namespace LlmLoc.Models;

/// <summary>
/// Checks token sequences against the model before they reach it: every id inside the embedding table (a tokenizer
/// of another model gives ids beyond it) and every sequence within the model's context, so an over-long input is
/// refused before attention allocates seq × seq memory.
/// </summary>
public static class ModelInputs
{
    /// <summary>The model's position limit: n_positions (GPT-2), max_position_embeddings, n_ctx, else 2048.</summary>
    public static int ContextLength(ModelConfig config) =>
        config.IntOrNull("n_positions") ?? config.IntOrNull("max_position_embeddings") ?? config.IntOrNull("n_ctx") ?? 2048;

    /// <param name="what">What a sequence is, for the message ("language stimulus", "prompt").</param>
    /// <param name="extraTokens">Tokens that will be appended (generation), counted against the context.</param>
    public static void Check(ModelConfig config, IEnumerable<IReadOnlyList<int>> sequences, string what, int extraTokens = 0)
    {
        var all = sequences.ToList();
        int context = ContextLength(config);
        for (int index = 0; index < all.Count; index++)
        {
            var ids = all[index];
            string which = all.Count == 1 ? what : $"{what} {index}";
            if (ids.Count + extraTokens > context)
                throw new LlmLocException(extraTokens == 0
                    ? $"{which} is {ids.Count} tokens, more than the model's context of {context} (config.json); shorten it"
                    : $"{which} is {ids.Count} tokens and {extraTokens} more would be generated, more than the model's context of {context} (config.json); shorten it or lower --max-length");
            foreach (int id in ids)
                if (id < 0 || id >= config.VocabSize)
                    throw new LlmLocException($"the tokenizer produced token id {id} for {which}, outside the model's embedding table of " +
                        $"{config.VocabSize} (config.json vocab_size): the tokenizer files belong to another model; use the tokenizer saved with this checkpoint", ExitCodes.RuntimeError);
        }
    }
}
