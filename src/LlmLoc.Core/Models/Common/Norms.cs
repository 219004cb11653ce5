using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>torch.nn.LayerNorm over the last dimension (weight and bias).</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    readonly double _eps;
    public Parameter weight { get; }
    public Parameter bias { get; }

    public LayerNorm(long dim, double eps, TensorSpec spec) : base(nameof(LayerNorm))
    {
        _eps = eps;
        weight = spec.Empty(dim);
        bias = spec.Empty(dim);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public override Tensor forward(Tensor x) => nn.functional.layer_norm(x, [x.shape[^1]], weight, bias, _eps);
}

/// <summary>
/// RMSNorm computed in float32. Llama style: weight × normalized (cast back to the input dtype first).
/// Gemma style (<paramref name="offsetByOne"/>): normalized × (1 + weight), cast back afterwards; its weight starts at zero.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly double _eps;
    readonly bool _offsetByOne;
    public Parameter weight { get; }

    public RmsNorm(long dim, double eps, TensorSpec spec, bool offsetByOne = false) : base(nameof(RmsNorm))
    {
        _eps = eps;
        _offsetByOne = offsetByOne;
        weight = spec.Empty(dim);
        register_parameter("weight", weight);
    }

    public bool OffsetByOne => _offsetByOne;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var normalized = x32 * torch.rsqrt(x32.pow(2).mean([-1], keepdim: true) + _eps);
        Tensor result = _offsetByOne
            ? (normalized * (weight.to(ScalarType.Float32) + 1.0)).to(x.dtype)
            : weight * normalized.to(x.dtype);
        return result.MoveToOuterDisposeScope();
    }
}
