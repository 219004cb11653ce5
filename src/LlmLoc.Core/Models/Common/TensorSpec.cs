using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>Where and in which dtype a model's parameters live; creates them uninitialized (the loader fills them).</summary>
public sealed record TensorSpec(ScalarType DType, Device Device)
{
    public Parameter Empty(params long[] shape) => new(torch.empty(shape, DType, Device), requires_grad: false);
}
