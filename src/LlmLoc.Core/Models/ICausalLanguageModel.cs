using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// A decoder-only transformer loaded from a Hugging Face checkpoint. Every family implements it in its own
/// file; the recorder, the lesion and generation use only this surface.
/// </summary>
public interface ICausalLanguageModel : IDisposable
{
    /// <summary>The parsed config.json (model_type, sizes, special token ids).</summary>
    ModelConfig Config { get; }

    /// <summary>Number of transformer blocks (layers of the mask).</summary>
    int NumLayers { get; }

    /// <summary>Width of the residual stream (units per layer of the mask).</summary>
    int HiddenSize { get; }

    Device Device { get; }

    /// <summary>
    /// Registers a hook on every block (<c>transformer.h.{i}</c> / <c>model.layers.{i}</c>): called with the layer
    /// index and the block's output hidden states [batch, seq, hidden] — what a transformers forward hook sees as
    /// <c>output[0]</c>. Returning a tensor replaces the block output (the lesion); returning null keeps it.
    /// Dispose the result to remove the hook. The hook runs inside <see cref="Forward"/>'s dispose scope: tensors it
    /// creates and wants to keep past the forward call need <c>DetachFromDisposeScope()</c> (or copy them to arrays).
    /// </summary>
    IDisposable AddBlockOutputHook(Func<int, Tensor, Tensor?> hook);

    /// <summary>Units per layer at <paramref name="site"/>: <see cref="HiddenSize"/> for the residual stream, the MLP's
    /// intermediate width (n_inner or 4·n_embd, ffn_hidden_size, intermediate_size) for the MLP site.</summary>
    int UnitsPerLayer(UnitSite site);

    /// <summary>
    /// A hook on the units of <paramref name="site"/> in every block: for <see cref="UnitSite.Residual"/> exactly
    /// <see cref="AddBlockOutputHook"/>; for <see cref="UnitSite.Mlp"/> it gets (layer, the input of the MLP's output
    /// projection [batch, seq, <see cref="UnitsPerLayer"/>]) — what a transformers forward pre-hook on that projection
    /// sees — and a returned tensor replaces that input. Same dispose rules as <see cref="AddBlockOutputHook"/>.
    /// </summary>
    IDisposable AddUnitHook(UnitSite site, Func<int, Tensor, Tensor?> hook);

    /// <summary>A fresh key/value cache for incremental decoding.</summary>
    KvCache NewCache();

    /// <summary>
    /// Runs the model on right-padded <paramref name="inputIds"/> [batch, seq] (int64) with an optional
    /// <paramref name="attentionMask"/> [batch, seq] (1 = real token). With a cache, the ids are the new tokens
    /// appended after what the cache holds, and the mask covers only those new tokens (the cache keeps earlier masks). Returns logits [batch, seq, vocab] (float32), or null when
    /// <paramref name="computeLogits"/> is false (only block outputs are wanted; the LM head is skipped).
    /// </summary>
    Tensor? Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null, bool computeLogits = true);

    /// <summary>The LM head (with whatever the family applies to its output) on final-normed hidden states (from <see cref="ForwardHiddenLayerMajor"/>) [..., hidden]: float32 logits [..., vocab].</summary>
    Tensor Logits(Tensor finalHidden);

    /// <summary>
    /// Runs several batches (no cache) up to the final norm, in the layer-major schedule: every batch
    /// through block 0, then block 1, …, so a streamed model reads each block once for the whole group. Each returned
    /// tensor [batch, seq, hidden] (model dtype) is bit for bit what a forward of that batch alone computes before the LM head; all of them are alive together, so the
    /// caller bounds the group's size.
    /// </summary>
    IReadOnlyList<Tensor> ForwardHiddenLayerMajor(IReadOnlyList<(Tensor InputIds, Tensor? AttentionMask)> batches);

    /// <summary>
    /// The same schedule for block outputs (no final norm, no LM head), so a streamed block is read and converted once
    /// per call, not once per batch: <paramref name="onUnits"/> gets (layer, batch index, the units of
    /// <paramref name="site"/> after the hooks on them, e.g. a lesion: the block output, or the MLP site) — bit for bit
    /// what <see cref="Forward"/> of that batch gives its hooks; <paramref name="onLayerDone"/> reports progress. Every
    /// batch's hidden states (what a forward of each batch holds between blocks) stay in memory throughout, so the
    /// caller bounds the batches' total size.
    /// </summary>
    void ForwardLayerMajor(IReadOnlyList<(Tensor InputIds, Tensor? AttentionMask)> batches,
        Action<int, int, Tensor>? onUnits = null, Action<int>? onLayerDone = null, UnitSite site = UnitSite.Residual);
}
