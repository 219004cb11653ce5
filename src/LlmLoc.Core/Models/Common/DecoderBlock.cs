using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>
/// One transformer block (<c>transformer.h.{i}</c> / <c>model.layers.{i}</c>): hidden states in, hidden states out —
/// exactly what transformers' hook sees as <c>output[0]</c>. A two-argument TorchSharp module, so forward hooks
/// registered on it fire when the model invokes it with <c>call</c>. Its MLP passes the input of its output projection
/// through <see cref="MlpSite"/>, where MLP-site hooks (recording, lesions) see and may replace it.
/// </summary>
public abstract class DecoderBlock(string name, int layerIndex, int mlpWidth) : nn.Module<Tensor, ForwardContext, Tensor>(name)
{
    readonly List<Func<int, Tensor, Tensor?>> _mlpHooks = [];

    public int LayerIndex { get; } = layerIndex;

    /// <summary>Units of the MLP site: the width of the input of the MLP's output projection.</summary>
    public int MlpWidth { get; } = mlpWidth;

    /// <summary>Adds a hook on this block's MLP site (called in the order added); dispose the result to remove it.</summary>
    internal IDisposable AddMlpHook(Func<int, Tensor, Tensor?> hook)
    {
        _mlpHooks.Add(hook);
        return new DisposableAction(() => _mlpHooks.Remove(hook));
    }

    /// <summary>
    /// The MLP site, [batch, seq, <see cref="MlpWidth"/>]: what a transformers forward pre-hook on the MLP's output
    /// projection sees as its input. Each hook may return a replacement (a lesion) or null (keep it).
    /// </summary>
    protected Tensor MlpSite(Tensor activation)
    {
        foreach (var hook in _mlpHooks) activation = hook(LayerIndex, activation) ?? activation;
        return activation;
    }
}
