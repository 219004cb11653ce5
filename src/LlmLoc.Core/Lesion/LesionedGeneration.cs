using LlmLoc.Generation;
using LlmLoc.Masks;
using LlmLoc.Models;

namespace LlmLoc.Lesion;

/// <summary>Generation with the units of a mask ablated at every step (prefill and every cached decoding step).</summary>
public static class LesionedGeneration
{
    /// <summary>TextGenerator.Generate under a <see cref="UnitLesion"/>; a null mask generates with the intact model.</summary>
    public static long[][] Generate(ICausalLanguageModel model, long[] promptIds, UnitMask? mask, GenerationSettings settings)
    {
        using var lesion = mask is null ? null : new UnitLesion(model, mask);
        return TextGenerator.Generate(model, promptIds, settings);
    }
}
