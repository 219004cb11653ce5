using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>The attention shared by every family: rotary, cache append, grouped-query expansion, masked SDPA.</summary>
public static class AttentionCore
{
    /// <summary>
    /// <paramref name="q"/> [b, heads, s, d], <paramref name="k"/>/<paramref name="v"/> [b, kv_heads, s, d]; returns [b, s, heads·d].
    /// Scores are scaled by 1/sqrt(d) × <paramref name="extraScale"/>. <paramref name="slidingWindow"/> gives this layer
    /// its own window instead of the model-wide mask; <paramref name="logitSoftCap"/> c maps scores s to c·tanh(s / c)
    /// before the mask (Gemma 2).
    /// </summary>
    public static Tensor Run(Tensor q, Tensor k, Tensor v, ForwardContext ctx, int layer, bool rotary, double extraScale = 1.0,
        int? slidingWindow = null, double? logitSoftCap = null)
    {
        using var scope = torch.NewDisposeScope();
        if (rotary)
        {
            q = RotaryEmbedding.Apply(q, ctx.Cos!, ctx.Sin!);
            k = RotaryEmbedding.Apply(k, ctx.Cos!, ctx.Sin!);
        }
        if (ctx.Cache is not null) (k, v) = ctx.Cache.Append(layer, k, v);
        long heads = q.shape[1], kvHeads = k.shape[1];
        if (heads != kvHeads)
        {
            // Query head h uses key/value head h / (heads / kv_heads), as transformers' repeat_kv.
            k = k.repeat_interleave(heads / kvHeads, 1);
            v = v.repeat_interleave(heads / kvHeads, 1);
        }
        if (extraScale != 1.0) q = q * extraScale;
        var (mask, causal) = ctx.MaskFor(slidingWindow);
        var output = Attend(q, k, v, mask, causal, logitSoftCap);
        long b = output.shape[0], s = output.shape[2];
        return output.transpose(1, 2).reshape(b, s, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Keys up to which the plain math path (transformers' "eager" attention) is used on the CPU.</summary>
    public const long EagerMaxKeys = 256;

    /// <summary>Tests force one path or the other (per async flow, so parallel tests are unaffected).</summary>
    internal static readonly AsyncLocal<long?> EagerMaxKeysOverride = new();

    /// <summary>
    /// softmax(q·kᵀ/√d + mask)·v. libtorch's CPU SDPA kernel costs several times the plain math at localizer-sized
    /// inputs (64 stimuli × 12 heads × 12 tokens; bench `parts`, bench/README.md), so short sequences on the CPU take
    /// the math path; long ones keep SDPA, which never materialises the [s × s] scores. Soft-capped scores
    /// always take the math path (SDPA has no hook between the product and the softmax).
    /// </summary>
    static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? mask, bool causal, double? softCap)
    {
        long queries = q.shape[2], keys = k.shape[2];
        if (softCap is null && (q.device_type != DeviceType.CPU || keys > (EagerMaxKeysOverride.Value ?? EagerMaxKeys)))
            return nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, causal);
        using var scope = torch.NewDisposeScope();
        var scores = q.matmul(k.transpose(-2, -1)).mul_(1.0 / Math.Sqrt(q.shape[^1]));
        if (softCap is double cap) scores = scores.div_(cap).tanh_().mul_(cap);
        if (mask is not null)
            scores.masked_fill_(mask.logical_not(), float.NegativeInfinity);
        else if (causal)
            scores.masked_fill_(torch.ones(queries, keys, ScalarType.Bool, q.device).triu(keys - queries + 1), float.NegativeInfinity);
        return scores.softmax(-1).matmul(v).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The bool mask [b, 1, s, past+s]: causal, padded keys hidden, keys older than the sliding window hidden
    /// (window W keeps keys j with i - W &lt; j ≤ i, as transformers). The diagonal always stays visible so a padded
    /// row never becomes all-masked (NaN) — padded rows are not meaningful anyway and real rows never see padded keys.
    /// Returns null with <c>causal</c> = true when a plain causal mask is exact.
    /// </summary>
    public static (Tensor? Mask, bool Causal) BuildMask(Tensor? keyValid, long past, long length, int? slidingWindow, Device device)
    {
        bool windowMatters = slidingWindow is int w && past + length > w;
        if (keyValid is null && !windowMatters)
        {
            if (past == 0) return (null, true);
            if (length == 1) return (null, false);
        }
        using var scope = torch.NewDisposeScope();
        var queryPos = torch.arange(past, past + length, dtype: ScalarType.Int64, device: device).view(-1, 1);
        var keyPos = torch.arange(0, past + length, dtype: ScalarType.Int64, device: device).view(1, -1);
        var allowed = keyPos <= queryPos;
        if (windowMatters) allowed = allowed.logical_and(keyPos > queryPos - slidingWindow!.Value);
        var mask = allowed.view(1, 1, length, past + length);
        if (keyValid is not null) mask = mask.logical_and(keyValid.view(keyValid.shape[0], 1, 1, -1));
        mask = mask.logical_or((keyPos == queryPos).view(1, 1, length, past + length));
        return (mask.MoveToOuterDisposeScope(), false);
    }
}
