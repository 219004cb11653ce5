using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>How <see cref="ModelLoader"/> materializes a model.</summary>
public sealed record LoadOptions
{
    /// <summary>Compute device (default CPU).</summary>
    public Device Device { get; init; } = CPU;
    /// <summary>Compute dtype. Null: float32 on CPU, the stored dtype on CUDA. Weights are converted to it at load, or
    /// block by block when streamed.</summary>
    public ScalarType? DType { get; init; }
    /// <summary>Random weights from the config (transformers' init rules) instead of the checkpoint.</summary>
    public bool Untrained { get; init; }
    public int Seed { get; init; } = Defaults.Seed;
    /// <summary>In memory, streamed block by block from the checkpoint, or chosen from the available memory.</summary>
    public WeightsMode Weights { get; init; } = WeightsMode.Auto;
    /// <summary>True: CPU weights of the stored dtype view a private memory map of the safetensors file (no copy). Off by
    /// default: a file truncated in place while mapped kills the process with SIGBUS, where read weights are unaffected
    /// (the cost of reading is measured in bench/README.md, "Mapped or read weights").</summary>
    public bool MapFile { get; init; }
    /// <summary>Log where the weights live even when they are in memory (streaming is always logged).</summary>
    public bool Verbose { get; init; }
}

/// <summary>Where the weights of a loaded model live (<c>--weights</c>).</summary>
public enum WeightsMode
{
    /// <summary>In memory when the compute-dtype model fits comfortably in the memory available to the process, else streamed.</summary>
    Auto,
    /// <summary>Every weight converted to the compute dtype once, at load.</summary>
    InMemory,
    /// <summary>Block weights stay in the checkpoint and are converted one block at a time (<see cref="StreamedWeights"/>).</summary>
    Streamed,
}

public static class WeightsModeNames
{
    public static readonly string[] All = ["auto", "in-memory", "streamed"];

    public static WeightsMode Parse(string text) => text switch
    {
        "auto" => WeightsMode.Auto,
        "in-memory" => WeightsMode.InMemory,
        "streamed" => WeightsMode.Streamed,
        _ => throw new LlmLocException($"unknown --weights '{text}': use one of {string.Join(", ", All)}", ExitCodes.Usage),
    };
}

/// <summary><c>--dtype</c>: the compute dtype (null: float32 on the CPU, the checkpoint's dtype on CUDA).</summary>
public static class ComputeDTypes
{
    public static readonly string[] All = ["float32", "bfloat16", "float16"];

    public static ScalarType? Parse(string? text) => text switch
    {
        null => null,
        "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        "float16" => ScalarType.Float16,
        _ => throw new LlmLocException($"unknown --dtype '{text}': use one of {string.Join(", ", All)}", ExitCodes.Usage),
    };
}
