using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>y = x Wᵀ + b with W stored [out, in] (torch.nn.Linear's layout).</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public Linear(long inFeatures, long outFeatures, bool hasBias, TensorSpec spec) : base(nameof(Linear))
    {
        weight = spec.Empty(outFeatures, inFeatures);
        register_parameter("weight", weight);
        if (hasBias) { bias = spec.Empty(outFeatures); register_parameter("bias", bias); }
    }

    public override Tensor forward(Tensor x) => nn.functional.linear(x, weight, bias);
}

/// <summary>GPT-2's Conv1D: y = x W + b with W stored [in, out].</summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    public Parameter weight { get; }
    public Parameter bias { get; }

    public Conv1D(long inFeatures, long outFeatures, TensorSpec spec) : base(nameof(Conv1D))
    {
        weight = spec.Empty(inFeatures, outFeatures);
        bias = spec.Empty(outFeatures);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public override Tensor forward(Tensor x)
    {
        var shape = x.shape.ToArray();
        shape[^1] = weight.shape[1];
        using var flat = x.reshape(-1, x.shape[^1]);
        using var y = torch.addmm(bias, flat, weight, beta: 1, alpha: 1);
        return y.view(shape);
    }
}

/// <summary>Token or position lookup table [count, dim].</summary>
public sealed class Embedding : nn.Module<Tensor, Tensor>
{
    public Parameter weight { get; }

    public Embedding(long count, long dim, TensorSpec spec) : base(nameof(Embedding))
    {
        weight = spec.Empty(count, dim);
        register_parameter("weight", weight);
    }

    public override Tensor forward(Tensor ids)
    {
        using var flat = ids.reshape(-1);
        using var rows = weight.index_select(0, flat);
        return rows.view([.. ids.shape, weight.shape[1]]);
    }
}
