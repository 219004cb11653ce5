using LlmLoc.Models;

namespace LlmLoc.Generation;

/// <summary>
/// All returned sequences are generated as one batch (as transformers' generate does, so a seed draws the same tokens),
/// so their key/value cache and logits are held at once: a request too large for this machine is refused before the
/// first forward pass, with the number of sequences that fits, instead of ending in the kernel's out-of-memory killer.
/// </summary>
public static class GenerationMemory
{
    /// <summary>Bytes one sequence holds at its longest: keys and values of every layer for every position, the prompt's
    /// logits from the prefill, and a few vocabulary-sized rows for the warpers and sampling (float32).</summary>
    public static double BytesPerSequence(ModelConfig config, int promptTokens, int maxLength) =>
        4.0 * ((double)Math.Max(maxLength, promptTokens + 1) * config.NumLayers * 2 * config.HiddenSize
               + (double)promptTokens * config.VocabSize + 4.0 * config.VocabSize);

    public static void Check(ModelConfig config, int promptTokens, GenerationSettings settings)
    {
        double perSequence = BytesPerSequence(config, promptTokens, settings.MaxLength);
        long fits = (long)(Models.ModelLoader.AvailableMemoryBytes() * 0.8 / perSequence);
        CountChecks.FitsMemory(
            $"--num-return-sequences {settings.NumReturnSequences} ({settings.NumReturnSequences} sequences of up to {settings.MaxLength} tokens, generated as one batch)",
            perSequence * settings.NumReturnSequences,
            $"ask for at most {Math.Max(1, fits)} sequences per run (run again with another --seed for more)");
    }
}
