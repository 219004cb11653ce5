using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>transformers' ACT2FN names used by the supported families.</summary>
public static class Activations
{
    public static Func<Tensor, Tensor> Get(string name) => name switch
    {
        "gelu" => x => nn.functional.gelu(x),
        // gelu_new / gelu_fast / gelu_pytorch_tanh are all the tanh approximation of GELU.
        "gelu_new" or "gelu_fast" or "gelu_pytorch_tanh" => x => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "quick_gelu" => x => { using var s = torch.sigmoid(x * 1.702); return x * s; },
        "silu" or "swish" => x => nn.functional.silu(x),
        "relu" => x => nn.functional.relu(x),
        "tanh" => x => torch.tanh(x),
        _ => throw new LlmLocException($"activation '{name}' is not supported; supported: gelu, gelu_new, gelu_fast, gelu_pytorch_tanh, quick_gelu, silu, relu, tanh", ExitCodes.RuntimeError),
    };
}
