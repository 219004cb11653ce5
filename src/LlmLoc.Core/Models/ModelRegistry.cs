using LlmLoc.Models.Common;

namespace LlmLoc.Models;

/// <summary>
/// The one list of supported families: config.json's model_type → the class that builds it. The supported list in
/// errors and the family table of docs/models.md (checked by a test) derive from it; adding a family = its file +
/// one line here.
/// </summary>
public static class ModelRegistry
{
    /// <param name="MlpWidth">Units per layer of the MLP site read from config.json alone (so cached masks can be
    /// checked without building the model); null for a family without an MLP site.</param>
    public sealed record Family(string ModelType, Func<ModelConfig, TensorSpec, CausalLmBase> Create, Func<ModelConfig, int>? MlpWidth);

    static int IntermediateSize(ModelConfig c) => c.Int("intermediate_size");

    public static IReadOnlyList<Family> Families { get; } =
    [
        new("gpt2", (c, s) => new Gpt2(c, s), Gpt2.MlpWidthOf),
        new("llama", (c, s) => new Llama(c, s), IntermediateSize),
        new("mistral", (c, s) => new Mistral(c, s), IntermediateSize),
        new("gemma", (c, s) => new Gemma(c, s), IntermediateSize),
        new("phi3", (c, s) => new Phi3(c, s), IntermediateSize),
        new("falcon", (c, s) => new Falcon(c, s), Falcon.MlpWidthOf),
        new("gpt_neox", (c, s) => new GptNeoX(c, s), IntermediateSize),
        new("qwen2", (c, s) => new Qwen2(c, s), IntermediateSize),
        new("gemma2", (c, s) => new Gemma2(c, s), IntermediateSize),
        new("olmo", (c, s) => new Olmo(c, s), IntermediateSize),
    ];

    /// <summary>Units per layer of a model with this config at <paramref name="site"/>, from config.json alone; a
    /// one-line error when the family has no such site.</summary>
    public static int UnitsPerLayer(ModelConfig config, UnitSite site) => site switch
    {
        UnitSite.Residual => config.HiddenSize,
        _ => Get(config.ModelType).MlpWidth is { } width ? width(config)
            : throw new LlmLocException($"model_type '{config.ModelType}' has no --site {site.ToFlag()}; use --site {UnitSite.Residual.ToFlag()}", ExitCodes.Usage),
    };

    public static IReadOnlyList<string> ModelTypes { get; } = Families.Select(f => f.ModelType).ToArray();

    /// <summary>The family of <paramref name="modelType"/>, or a one-line error listing the supported ones.</summary>
    public static Family Get(string modelType) =>
        Families.FirstOrDefault(f => f.ModelType == modelType)
        ?? throw new LlmLocException($"model_type '{modelType}' is not supported; supported families: {string.Join(", ", ModelTypes)}", ExitCodes.RuntimeError);
}
