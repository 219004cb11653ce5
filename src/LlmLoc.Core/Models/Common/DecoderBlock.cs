using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>
/// One transformer block (<c>transformer.h.{i}</c> / <c>model.layers.{i}</c>): hidden states in, hidden states out —
/// exactly what transformers' hook sees as <c>output[0]</c>. A two-argument TorchSharp module, so forward hooks
/// registered on it fire when the model invokes it with <c>call</c>.
/// </summary>
public abstract class DecoderBlock(string name, int layerIndex) : nn.Module<Tensor, ForwardContext, Tensor>(name)
{
    public int LayerIndex { get; } = layerIndex;
}
