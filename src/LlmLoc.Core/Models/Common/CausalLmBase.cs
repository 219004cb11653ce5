using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>
/// What every family shares: the forward skeleton (embed → blocks → final norm → LM head), the per-call
/// context (positions from the cache length, mask, rotary), block hooks and untrained initialization.
/// Families register their modules under the checkpoint's names, so <c>named_parameters()</c> equals the file's keys.
/// </summary>
public abstract class CausalLmBase : nn.Module, ICausalLanguageModel
{
    protected CausalLmBase(string name, ModelConfig config, TensorSpec spec) : base(name)
    {
        Config = config;
        Spec = spec;
    }

    public ModelConfig Config { get; }
    public TensorSpec Spec { get; }
    public int NumLayers => Config.NumLayers;
    public int HiddenSize => Config.HiddenSize;
    public Device Device => Spec.Device;

    protected abstract IReadOnlyList<DecoderBlock> Blocks { get; }
    /// <summary>Token (and position) embeddings for this call.</summary>
    protected abstract Tensor Embed(Tensor inputIds, ForwardContext ctx);
    protected abstract Tensor FinalNorm(Tensor hidden);
    protected abstract Tensor LmHead(Tensor hidden);
    protected virtual RotaryEmbedding? Rotary => null;
    protected virtual int? SlidingWindow => null;

    /// <summary>Checkpoint keys transformers itself ignores when loading this family (buffers, tied heads).</summary>
    public virtual bool IsIgnorableKey(string key) => false;

    /// <summary>Maps a checkpoint key to this model's parameter name (e.g. adds a missing base-model prefix).</summary>
    public virtual string NormalizeKey(string key) => key;

    public IDisposable AddBlockOutputHook(Func<int, Tensor, Tensor?> hook)
    {
        var removers = Blocks.Select(block =>
        {
            int layer = block.LayerIndex;
            return block.register_forward_hook((_, _, _, output) => hook(layer, output) ?? output);
        }).ToList();
        return new DisposableAction(() => removers.ForEach(r => r.remove()));
    }

    public int UnitsPerLayer(UnitSite site) => site switch
    {
        UnitSite.Residual => HiddenSize,
        UnitSite.Mlp => Blocks.Count > 0 ? Blocks[0].MlpWidth : ModelRegistry.UnitsPerLayer(Config, site),
        _ => throw new ArgumentOutOfRangeException(nameof(site)),
    };

    public IDisposable AddUnitHook(UnitSite site, Func<int, Tensor, Tensor?> hook)
    {
        if (site == UnitSite.Residual) return AddBlockOutputHook(hook);
        var removers = Blocks.Select(block => block.AddMlpHook(hook)).ToList();
        return new DisposableAction(() => removers.ForEach(r => r.Dispose()));
    }

    /// <summary>The blocks in layer order (the loader streams their parameters).</summary>
    internal IReadOnlyList<DecoderBlock> DecoderBlocks => Blocks;

    /// <summary>
    /// Set when the blocks' weights stay in the checkpoint and are converted one block at a time (streamed mode);
    /// null when every weight is in memory. Owned by the model.
    /// </summary>
    public StreamedWeights? StreamedWeights { get; internal set; }

    /// <summary>Runs <paramref name="block"/>, first materializing its weights when they are streamed.</summary>
    Tensor RunBlock(DecoderBlock block, Tensor hidden, ForwardContext ctx)
    {
        using var weights = StreamedWeights?.Materialize(block.LayerIndex);
        return block.call(hidden, ctx);
    }

    public KvCache NewCache() => new(NumLayers);

    public Tensor? Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null, bool computeLogits = true)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (hidden, ctx) = Start(inputIds, attentionMask, cache);
        foreach (var block in Blocks) hidden = RunBlock(block, hidden, ctx);
        if (cache is not null) cache.Length = ctx.PastLength + inputIds.shape[1];
        return computeLogits ? Logits(FinalNorm(hidden)).MoveToOuterDisposeScope() : null;
    }

    public Tensor Logits(Tensor finalHidden)
    {
        using var noGrad = torch.no_grad();
        return LmHead(finalHidden).to(ScalarType.Float32);
    }

    /// <inheritdoc/>
    public void ForwardLayerMajor(IReadOnlyList<(Tensor InputIds, Tensor? AttentionMask)> batches,
        Action<int, int, Tensor>? onUnits = null, Action<int>? onLayerDone = null, UnitSite site = UnitSite.Residual)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        RunLayerMajor(batches, onUnits, onLayerDone, site);
    }

    public IReadOnlyList<Tensor> ForwardHiddenLayerMajor(IReadOnlyList<(Tensor InputIds, Tensor? AttentionMask)> batches)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return RunLayerMajor(batches, null, null, UnitSite.Residual).Select(hidden => FinalNorm(hidden).MoveToOuterDisposeScope()).ToList();
    }

    /// <summary>The batches' hidden states after the last block (in the caller's dispose scope).</summary>
    Tensor[] RunLayerMajor(IReadOnlyList<(Tensor InputIds, Tensor? AttentionMask)> batches, Action<int, int, Tensor>? onUnits, Action<int>? onLayerDone, UnitSite site)
    {
        var states = batches.Select(b => Start(b.InputIds, b.AttentionMask, cache: null)).ToArray();
        foreach (var block in Blocks)
        {
            using var weights = StreamedWeights?.Materialize(block.LayerIndex);
            for (int b = 0; b < states.Length; b++)
            {
                int batch = b;
                // The MLP site is observed from inside the block, after the hooks already on it (a lesion).
                using var mlpObserver = site == UnitSite.Mlp && onUnits is not null
                    ? block.AddMlpHook((layer, units) => { onUnits(layer, batch, units); return null; })
                    : null;
                var next = block.call(states[b].Hidden, states[b].Context);
                if (site == UnitSite.Residual) onUnits?.Invoke(block.LayerIndex, b, next);
                states[b].Hidden.Dispose();
                states[b] = (next, states[b].Context);
            }
            onLayerDone?.Invoke(block.LayerIndex);
        }
        return states.Select(s => s.Hidden).ToArray();
    }

    /// <summary>Checks the inputs, builds the per-call context (positions, mask, rotary) and embeds the ids.</summary>
    (Tensor Hidden, ForwardContext Context) Start(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        if (inputIds.dim() != 2) throw new ArgumentException($"input ids must be [batch, seq], got {SafeTensors.SafeTensorsDTypes.ShapeText(inputIds.shape)}");
        if (attentionMask is not null && !attentionMask.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException("attention mask must have the shape of the input ids");
        long batch = inputIds.shape[0], length = inputIds.shape[1];
        long past = cache?.Length ?? 0;
        var ids = inputIds.to(ScalarType.Int64, Device);

        Tensor? newValid = null;
        if (attentionMask is not null)
        {
            var valid = attentionMask.to(Device).ne(0);
            if (valid.all().item<bool>()) valid.Dispose(); else newValid = valid;
        }
        var keyValid = cache is null ? newValid : cache.AppendMask(newValid, batch, length, Device);
        var (mask, causal) = AttentionCore.BuildMask(keyValid, past, length, SlidingWindow, Device);
        Tensor? cos = null, sin = null;
        if (Rotary is { } rotary) (cos, sin) = rotary.For(past, length, Spec.DType, Device);

        var ctx = new ForwardContext
        {
            PastLength = past,
            PositionIds = torch.arange(past, past + length, dtype: ScalarType.Int64, device: Device).view(1, -1),
            AttentionMask = mask,
            IsCausal = causal,
            Cos = cos,
            Sin = sin,
            Cache = cache,
            KeyValid = keyValid,
        };
        return (Embed(ids, ctx), ctx);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { StreamedWeights?.Dispose(); StreamedWeights = null; }
        base.Dispose(disposing);
    }

    /// <summary>
    /// Random weights as transformers' <c>_init_weights</c>: linear/embedding weights ~ N(0, initializer_range),
    /// biases 0, LayerNorm 1/0, RMSNorm 1 (Gemma's (1 + w) norm: 0), embedding padding row 0. Seeded and deterministic.
    /// </summary>
    public void InitializeUntrained(int seed)
    {
        using var noGrad = torch.no_grad();
        using var generator = new Generator((ulong)seed, torch.CPU);
        double std = Config.Double("initializer_range", 0.02);
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Linear l: Normal(l.weight, std, generator); l.bias?.zero_(); break;
                case Conv1D c: Normal(c.weight, std, generator); c.bias.zero_(); break;
                case Embedding e:
                    Normal(e.weight, std, generator);
                    if (EmbeddingPaddingRow(e) is long row) e.weight[row].zero_();
                    break;
                case LayerNorm n: n.weight.fill_(1.0); n.bias.zero_(); break;
                case RmsNorm r: r.weight.fill_(r.OffsetByOne ? 0.0 : 1.0); break;
            }
        }
        AfterUntrainedInit(std, generator);
    }

    /// <summary>The embedding row transformers zeroes at init (nn.Embedding padding_idx), if any.</summary>
    protected virtual long? EmbeddingPaddingRow(Embedding embedding) => null;

    protected virtual void AfterUntrainedInit(double std, Generator generator) { }

    /// <summary>Fills <paramref name="p"/> from N(0, std) drawn on the CPU generator (so CPU and GPU models match).</summary>
    protected static void Normal(Tensor p, double std, Generator generator)
    {
        using var draw = torch.empty(p.shape, ScalarType.Float32, torch.CPU);
        draw.normal_(0.0, std, generator);
        p.copy_(draw);
    }
}
