namespace LlmLoc.Lesion;

/// <summary>Everything <c>llmloc generate-lesion</c> takes: generate_lesion.py's flags plus llmloc's generation controls.</summary>
public sealed record GenerateLesionOptions
{
    public required LesionMaskRequest Mask { get; init; }
    public required string Prompt { get; init; }
    public string? Device { get; init; }
    public bool Offline { get; init; }
    /// <summary>--weights: in memory, streamed block by block, or chosen from the available memory.</summary>
    public Models.WeightsMode Weights { get; init; } = Models.WeightsMode.Auto;
    /// <summary>--dtype: compute dtype (null: float32 on the CPU).</summary>
    public string? DType { get; init; }
    /// <summary>Total length counted with the prompt (transformers' max_length; the original's 20).</summary>
    public int MaxLength { get; init; } = 20;
    public double Temperature { get; init; } = Generation.GenerationSettings.LesionScriptTemperature;
    /// <summary>Null: the model's generation_config.json, else transformers' default.</summary>
    public int? TopK { get; init; }
    /// <summary>Null: the model's generation_config.json, else transformers' default.</summary>
    public double? TopP { get; init; }
    public bool Greedy { get; init; }
    public int NumReturnSequences { get; init; } = 1;
}
