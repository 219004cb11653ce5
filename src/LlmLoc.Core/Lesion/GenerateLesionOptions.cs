using LlmLoc.Masks;
using LlmLoc.Sessions;

namespace LlmLoc.Lesion;

/// <summary>Everything <c>llmloc generate-lesion</c> takes: generate_lesion.py's flags plus llmloc's generation controls.</summary>
public sealed record GenerateLesionOptions
{
    public required ModelSpec Model { get; init; }
    public MaskSpec Mask { get; init; } = new();
    /// <summary>--network: none, random, or the network whose units are ablated; null: the mask's network (language,
    /// or the custom localizer --localizer names).</summary>
    public string? Network { get; init; }
    /// <summary>--random-like: the network a random control matches; null: the mask's network.</summary>
    public string? RandomLike { get; init; }
    public required string Prompt { get; init; }
    /// <summary>Total length counted with the prompt (transformers' max_length; the original's 20).</summary>
    public int MaxLength { get; init; } = 20;
    public double Temperature { get; init; } = Generation.GenerationSettings.LesionScriptTemperature;
    /// <summary>Null: the model's generation_config.json, else transformers' default.</summary>
    public int? TopK { get; init; }
    /// <summary>Null: the model's generation_config.json, else transformers' default.</summary>
    public double? TopP { get; init; }
    public bool Greedy { get; init; }
    public int NumReturnSequences { get; init; } = 1;

    /// <summary>The lesion this run applies.</summary>
    public LesionRequest Lesion => new() { Model = Model, Mask = Mask, Condition = Network ?? Mask.Network, RandomLike = RandomLike ?? Mask.Network, Seed = Model.Seed };
}
