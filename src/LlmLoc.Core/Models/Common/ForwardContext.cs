using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>
/// Per-call state every block needs besides the hidden states: the attention mask, rotary cos/sin and the cache.
/// The model builds it once per forward; blocks take it as their second argument (TorchSharp hooks support
/// two-argument modules, so the block stays a hookable module whose output is the hidden states).
/// </summary>
public sealed class ForwardContext
{
    /// <summary>Tokens already in the cache before this call.</summary>
    public required long PastLength { get; init; }
    /// <summary>Position ids [1, length] = arange(past, past + length).</summary>
    public required Tensor PositionIds { get; init; }
    /// <summary>Bool mask [batch, 1, query, key] (true = attend), or null when <see cref="IsCausal"/> says it all.</summary>
    public Tensor? AttentionMask { get; init; }
    /// <summary>True when a plain causal mask is exact (no padding, no cache, no window): SDPA's fast path.</summary>
    public bool IsCausal { get; init; }
    public Tensor? Cos { get; init; }
    public Tensor? Sin { get; init; }
    public KvCache? Cache { get; init; }
    /// <summary>Which keys (cached + new) are real tokens [batch, past + length], or null when all are.</summary>
    public Tensor? KeyValid { get; init; }

    /// <summary>
    /// The mask of a layer with its own sliding window (Gemma 2 alternates windowed and global layers); without one,
    /// the model-wide <see cref="AttentionMask"/>. A fresh mask belongs to the caller's dispose scope.
    /// </summary>
    public (Tensor? Mask, bool IsCausal) MaskFor(int? slidingWindow) => slidingWindow is null
        ? (AttentionMask, IsCausal)
        : AttentionCore.BuildMask(KeyValid, PastLength, PositionIds.shape[1], slidingWindow, PositionIds.device);
}
