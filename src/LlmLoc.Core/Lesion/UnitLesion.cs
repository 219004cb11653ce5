using LlmLoc.Models;
using LlmLoc.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Lesion;

/// <summary>
/// Ablates units as the original's patched models do: after every block, the block's output is multiplied by
/// (1 − mask[layer]) — at every forward call, so during generation it also shapes the KV cache of later layers.
/// At the MLP site the input of each block's MLP output projection is multiplied instead (the mask is then
/// layers × MLP width). Dispose to remove the lesion.
/// </summary>
public sealed class UnitLesion : IDisposable
{
    readonly Tensor[] keep;
    readonly IDisposable hook;

    /// <param name="mask">The units to zero, at its <see cref="UnitMask.Site"/>.</param>
    public UnitLesion(ICausalLanguageModel model, UnitMask mask)
    {
        var site = mask.Site;
        mask.EnsureFits(model.NumLayers, model.UnitsPerLayer(site));
        keep = new Tensor[mask.Layers];
        for (int layer = 0; layer < mask.Layers; layer++)
        {
            var row = new float[mask.Hidden];
            for (int u = 0; u < mask.Hidden; u++) row[u] = 1 - mask[layer, u];
            keep[layer] = tensor(row, device: model.Device).DetachFromDisposeScope();
        }
        hook = model.AddUnitHook(site, (layer, output) => output * keep[layer].to(output.dtype));
    }

    public void Dispose()
    {
        hook.Dispose();
        foreach (var t in keep) t.Dispose();
    }
}
