using System.CommandLine;
using LlmLoc.Models;

namespace LlmLoc.Cli.Commands;

/// <summary>The --weights and --dtype flags every verb that loads a model shares.</summary>
public sealed class ModelFlags
{
    public Option<string> Weights { get; } = new("--weights")
    {
        Description = "auto: in memory when the model fits in half the available memory, else streamed; in-memory; streamed: block weights stay in the checkpoint and are converted one block at a time",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string?> DType { get; } = new("--dtype") { Description = "compute dtype: float32 (CPU default, as the original), bfloat16 (fast only on CPUs with AVX-512 BF16), float16" };

    public ModelFlags()
    {
        Weights.AcceptOnlyFromAmong(WeightsModeNames.All);
        DType.AcceptOnlyFromAmong(ComputeDTypes.All);
    }

    public void AddTo(Command command) { command.Add(Weights); command.Add(DType); }

    public WeightsMode WeightsOf(ParseResult parse) => WeightsModeNames.Parse(parse.GetValue(Weights)!);
}
