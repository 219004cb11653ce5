using LlmLoc.Models.Common;

namespace LlmLoc.Models;

/// <summary>
/// The one list of supported families: config.json's model_type → the class that builds it. The supported list in
/// errors and the family table of docs/models.md (checked by a test) derive from it; adding a family = its file +
/// one line here.
/// </summary>
public static class ModelRegistry
{
    public sealed record Family(string ModelType, Func<ModelConfig, TensorSpec, CausalLmBase> Create);

    public static IReadOnlyList<Family> Families { get; } =
    [
        new("gpt2", (c, s) => new Gpt2(c, s)),
        new("llama", (c, s) => new Llama(c, s)),
        new("mistral", (c, s) => new Mistral(c, s)),
        new("gemma", (c, s) => new Gemma(c, s)),
        new("phi3", (c, s) => new Phi3(c, s)),
        new("falcon", (c, s) => new Falcon(c, s)),
        new("gpt_neox", (c, s) => new GptNeoX(c, s)),
        new("qwen2", (c, s) => new Qwen2(c, s)),
        new("gemma2", (c, s) => new Gemma2(c, s)),
        new("olmo", (c, s) => new Olmo(c, s)),
    ];

    public static IReadOnlyList<string> ModelTypes { get; } = Families.Select(f => f.ModelType).ToArray();

    /// <summary>The family of <paramref name="modelType"/>, or a one-line error listing the supported ones.</summary>
    public static Family Get(string modelType) =>
        Families.FirstOrDefault(f => f.ModelType == modelType)
        ?? throw new LlmLocException($"model_type '{modelType}' is not supported; supported families: {string.Join(", ", ModelTypes)}", ExitCodes.RuntimeError);
}
