using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>How <see cref="ModelLoader"/> materializes a model.</summary>
public sealed record LoadOptions
{
    /// <summary>Compute device (default CPU).</summary>
    public Device Device { get; init; } = CPU;
    /// <summary>Compute dtype. Null: float32 on CPU (bf16/f16 weights are upcast at load); the stored dtype on CUDA.</summary>
    public ScalarType? DType { get; init; }
    /// <summary>Random weights from the config (transformers' init rules) instead of the checkpoint.</summary>
    public bool Untrained { get; init; }
    public int Seed { get; init; } = 42;
    /// <summary>CPU weights of the stored dtype view a private memory map of the safetensors file (no copy); false: read into fresh memory.</summary>
    public bool MapFile { get; init; } = true;
}
