using LlmLoc.Masks;
using LlmLoc.Models;

namespace LlmLoc.Sessions;

/// <summary>
/// The one model specification every verb takes (<c>--model-name</c>, <c>--device</c>, <c>--untrained</c>,
/// <c>--seed</c>, <c>--offline</c>, <c>--weights</c>, <c>--dtype</c>, <c>--verbose</c>): what <see cref="ModelSession"/>
/// loads, and the model half of a mask's cache name.
/// </summary>
public sealed record ModelSpec(string ModelName)
{
    public string? Device { get; init; }
    /// <summary>Random weights of the same architecture; its masks are the pretrained=False ones.</summary>
    public bool Untrained { get; init; }
    /// <summary>--seed: untrained weights, and every seeded draw of the verb (random masks, ToM answers, sampling).</summary>
    public int Seed { get; init; } = Defaults.Seed;
    public bool Offline { get; init; }
    public WeightsMode Weights { get; init; } = WeightsMode.Auto;
    /// <summary>Compute dtype (null: float32 on the CPU).</summary>
    public string? DType { get; init; }
    /// <summary>Also report where the weights live when they are in memory (streaming is always reported).</summary>
    public bool Verbose { get; init; }

    /// <summary>The name in cache file names: basename(model_name), as the original.</summary>
    public string ModelId => MaskCacheKey.ModelIdOf(ModelName);

    /// <summary>An untrained GPT-2 of a Hub size: built from the built-in config, with the embedded GPT-2 tokenizer.</summary>
    public bool IsBuiltInGpt2 => Untrained && Gpt2Configs.Names.Contains(ModelName) && !Directory.Exists(ModelName);

    /// <summary>The cache entry of a mask of this model.</summary>
    public MaskCacheKey KeyOf(MaskSpec mask, Pooling pooling) => mask.Key(ModelName, Untrained, pooling);

    /// <summary>The model's [layers, units per layer at <paramref name="site"/>] when known without a download or a load:
    /// a local folder's config.json or a built-in GPT-2 size (untrained); null for hub ids. The MLP site's width comes
    /// from config.json as the family reads it (<see cref="ModelRegistry.UnitsPerLayer"/>).</summary>
    public (int Layers, int Hidden)? ShapeWithoutLoading(UnitSite site)
    {
        ModelConfig? config =
            File.Exists(Path.Combine(ModelName, "config.json")) ? ModelConfig.Load(ModelName)
            : Untrained && Gpt2Configs.Names.Contains(ModelName) ? ModelConfig.Parse(Gpt2Configs.Json(ModelName))
            : null;
        return config is null ? null : (config.NumLayers, ModelRegistry.UnitsPerLayer(config, site));
    }

    /// <summary>A mask that cannot fit the model at its site is refused before the model loads, when the shape is known.</summary>
    public void CheckFits(UnitMask? mask)
    {
        if (mask is not null && ShapeWithoutLoading(mask.Site) is { } shape) mask.EnsureFits(shape.Layers, shape.Hidden);
    }

    /// <summary>Checks what needs no model; throws a one-line usage error.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelName))
            throw new LlmLocException("--model-name is empty: give a Hugging Face model id (e.g. gpt2) or a model folder", ExitCodes.Usage);
        FlagChecks.Seed(Seed);
        ComputeDTypes.Parse(DType);
    }
}
