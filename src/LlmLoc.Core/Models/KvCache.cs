using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// Per-layer keys/values [batch, kv_heads, length, head_dim] for incremental decoding, plus which cached
/// positions are real tokens (the attention masks of earlier calls).
/// </summary>
public class KvCache : IDisposable
{
    readonly Tensor?[] _keys, _values;
    Tensor? _keyValid;

    /// <summary>For test doubles that keep their own state.</summary>
    protected KvCache() : this(0) { }

    public KvCache(int layers) { _keys = new Tensor?[layers]; _values = new Tensor?[layers]; }

    /// <summary>Tokens already processed (the next token's position).</summary>
    public long Length { get; internal set; }

    /// <summary>Appends this call's keys/values of <paramref name="layer"/> and returns the full ones.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        _keys[layer] = Grow(_keys[layer], keys);
        _values[layer] = Grow(_values[layer], values);
        return (_keys[layer]!, _values[layer]!);
    }

    static Tensor Grow(Tensor? old, Tensor added)
    {
        var grown = old is null ? added.clone() : torch.cat([old, added], 2);
        grown.DetachFromDisposeScope();
        old?.Dispose();
        return grown;
    }

    /// <summary>
    /// Records the new tokens' mask (null = all real) and returns the mask over all cached + new positions
    /// [batch, length] (bool), or null when every position is real.
    /// </summary>
    internal Tensor? AppendMask(Tensor? newValid, long batch, long newLength, Device device)
    {
        if (_keyValid is null && newValid is null) return null;
        var past = _keyValid ?? torch.ones([batch, Length], ScalarType.Bool, device);
        var added = newValid ?? torch.ones([batch, newLength], ScalarType.Bool, device);
        var all = torch.cat([past, added], 1);
        all.DetachFromDisposeScope();
        _keyValid?.Dispose();
        _keyValid = all;
        return all;
    }

    public virtual void Dispose()
    {
        foreach (var t in _keys.Concat(_values)) t?.Dispose();
        _keyValid?.Dispose();
        GC.SuppressFinalize(this);
    }
}
