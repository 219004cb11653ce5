using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Generation;

/// <summary>
/// A deterministic stand-in for a causal LM: the logits at a position depend only on the batch row and the token
/// there (<see cref="LogitsFor"/>). It records every Forward call and checks the KV-cache protocol: the first
/// call (prefill) sees the whole prompt with an empty cache, every later call exactly one new token per row.
/// </summary>
sealed class FakeLanguageModel(int vocab, Func<int, long, float[]> logitsFor) : ICausalLanguageModel
{
    /// <summary>
    /// Holds the ids seen so far as a tensor, like a real cache holds keys/values: the cache owns it (detached
    /// from dispose scopes), so it survives the dispose scope of the step that created it.
    /// </summary>
    public sealed class CountingCache : KvCache
    {
        public Tensor? Seen { get; private set; }
        public long SeenLength => Seen?.shape[1] ?? 0;

        public void Append(Tensor ids)
        {
            var old = Seen;
            Seen = (old is null ? ids.clone() : torch.cat([old, ids], 1)).DetachFromDisposeScope();
            old?.Dispose();
        }

        public override void Dispose()
        {
            Seen?.Dispose();
            base.Dispose();
        }
    }

    public int Vocab { get; } = vocab;
    public Func<int, long, float[]> LogitsFor { get; } = logitsFor;
    /// <summary>Shape [batch, seq] of every Forward input, in call order.</summary>
    public List<long[]> Calls { get; } = [];
    public List<CountingCache> Caches { get; } = [];
    /// <summary>Row 0 of the attention mask of every call (null when none was passed).</summary>
    public List<long[]?> MaskRows { get; } = [];

    /// <summary>Logits from a fixed random table indexed by the last token (same for every row).</summary>
    public static FakeLanguageModel RandomTable(int vocab, int seed)
    {
        var rng = new Random(seed);
        var table = Enumerable.Range(0, vocab)
            .Select(_ => Enumerable.Range(0, vocab).Select(_ => (float)(rng.NextDouble() * 6 - 3)).ToArray()).ToArray();
        return new FakeLanguageModel(vocab, (_, token) => table[token]);
    }

    public ModelConfig Config => throw new NotSupportedException("generation must not need the model config");
    public int NumLayers => 1;
    public int HiddenSize => 1;
    public Device Device => CPU;
    public IDisposable AddBlockOutputHook(Func<int, Tensor, Tensor?> hook) => throw new NotSupportedException();
    public int UnitsPerLayer(UnitSite site) => 1;
    public IDisposable AddUnitHook(UnitSite site, Func<int, Tensor, Tensor?> hook) => throw new NotSupportedException();
    public Tensor Logits(Tensor finalHidden) => throw new NotSupportedException();
    public IReadOnlyList<Tensor> ForwardHiddenLayerMajor(IReadOnlyList<(Tensor InputIds, Tensor? AttentionMask)> batches) => throw new NotSupportedException();
    public void ForwardLayerMajor(IReadOnlyList<(Tensor InputIds, Tensor? AttentionMask)> batches,
        Action<int, int, Tensor>? onUnits = null, Action<int>? onLayerDone = null, UnitSite site = UnitSite.Residual) => throw new NotSupportedException();

    public KvCache NewCache()
    {
        var cache = new CountingCache();
        Caches.Add(cache);
        return cache;
    }

    public Tensor? Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null, bool computeLogits = true)
    {
        Assert.True(computeLogits);
        var counting = Assert.IsType<CountingCache>(cache);
        long batch = inputIds.shape[0], seq = inputIds.shape[1];
        Assert.Equal(counting.SeenLength == 0 ? seq : 1, seq); // after the prefill: one new token per step
        if (attentionMask is not null) Assert.Equal([batch, seq], attentionMask.shape); // new tokens only
        if (counting.Seen is { } seen) Assert.Equal(batch, seen.shape[0]); // still alive from the previous step
        Calls.Add([batch, seq]);
        MaskRows.Add(attentionMask?[0].data<long>().ToArray());
        counting.Append(inputIds);

        var ids = inputIds.data<long>().ToArray();
        var logits = new float[batch * seq * Vocab];
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < seq; s++)
                LogitsFor(b, ids[b * seq + s]).CopyTo(logits, (b * seq + s) * Vocab);
        return torch.tensor(logits, dtype: float32).reshape(batch, seq, Vocab);
    }

    public void Dispose() { }
}
