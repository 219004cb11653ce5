using LlmLoc.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// GPT-2 (transformers' GPT2LMHeadModel): learned positions, pre-LayerNorm blocks, Conv1D weights stored [in, out],
/// c_attn = [q | k | v] along its output, tied LM head.
/// </summary>
public sealed class Gpt2 : CausalLmBase
{
    readonly Embedding _wte, _wpe;
    readonly LayerNorm _lnF;
    readonly List<DecoderBlock> _blocks;
    readonly int _maxPositions;

    public Gpt2(ModelConfig config, TensorSpec spec) : base("GPT2LMHeadModel", config, spec)
    {
        int hidden = config.HiddenSize, heads = config.Int("n_head");
        double eps = config.Double("layer_norm_epsilon", 1e-5);
        int inner = MlpWidthOf(config);
        var activation = Activations.Get(config.String("activation_function") ?? "gelu_new");
        if (hidden % heads != 0) throw new LlmLocException($"n_embd {hidden} is not divisible by n_head {heads}; fix config.json", ExitCodes.RuntimeError);
        if (config.Bool("reorder_and_upcast_attn", false) && spec.DType != ScalarType.Float32)
            throw new LlmLocException("reorder_and_upcast_attn is only supported in float32 compute; run on CPU or pass --dtype float32", ExitCodes.RuntimeError);
        _maxPositions = config.Int("n_positions", 1024);

        var transformer = new ModuleGroup("transformer");
        _wte = transformer.Add("wte", new Embedding(config.VocabSize, hidden, spec));
        _wpe = transformer.Add("wpe", new Embedding(_maxPositions, hidden, spec));
        _blocks = Enumerable.Range(0, config.NumLayers)
            .Select(i => (DecoderBlock)new Block(i, hidden, heads, inner, eps, activation, config, spec)).ToList();
        transformer.Add("h", new TorchSharp.Modules.ModuleList<DecoderBlock>(_blocks.ToArray()));
        _lnF = transformer.Add("ln_f", new LayerNorm(hidden, eps, spec));
        register_module("transformer", transformer);
    }

    /// <summary>The MLP's hidden width: n_inner, or 4 · n_embd when it is null.</summary>
    public static int MlpWidthOf(ModelConfig config) => config.IntOrNull("n_inner") ?? 4 * config.HiddenSize;

    protected override IReadOnlyList<DecoderBlock> Blocks => _blocks;

    protected override Tensor Embed(Tensor inputIds, ForwardContext ctx)
    {
        long end = ctx.PastLength + inputIds.shape[1];
        if (end > _maxPositions)
            throw new LlmLocException($"sequence of {end} tokens exceeds GPT-2's n_positions {_maxPositions}; truncate the input", ExitCodes.InputError);
        return _wte.call(inputIds) + _wpe.call(ctx.PositionIds);
    }

    protected override Tensor FinalNorm(Tensor hidden) => _lnF.call(hidden);
    protected override Tensor LmHead(Tensor hidden) => nn.functional.linear(hidden, _wte.weight);

    // Hub GPT-2 files name tensors without the "transformer." prefix and carry the attention-mask buffers.
    public override string NormalizeKey(string key) =>
        key.StartsWith("transformer.") || key.StartsWith("lm_head.") ? key : "transformer." + key;

    public override bool IsIgnorableKey(string key) =>
        key.EndsWith(".attn.bias") || key.EndsWith(".attn.masked_bias") || key == "lm_head.weight";

    protected override void AfterUntrainedInit(double std, Generator generator)
    {
        // GPT-2 scales residual projections: N(0, initializer_range / sqrt(2 · n_layer)).
        foreach (var (name, p) in named_parameters())
            if (name.EndsWith("c_proj.weight")) Normal(p, std / Math.Sqrt(2.0 * NumLayers), generator);
    }

    sealed class Block : DecoderBlock
    {
        readonly LayerNorm _ln1, _ln2;
        readonly Conv1D _cAttn, _attnProj, _cFc, _mlpProj;
        readonly Func<Tensor, Tensor> _act;
        readonly int _heads;
        readonly double _scale;

        public Block(int layer, int hidden, int heads, int inner, double eps, Func<Tensor, Tensor> act, ModelConfig config, TensorSpec spec)
            : base("GPT2Block", layer, inner)
        {
            _heads = heads;
            _act = act;
            int headDim = hidden / heads;
            // SDPA divides by sqrt(head_dim); GPT-2 may skip that (scale_attn_weights false) or also divide by layer + 1.
            _scale = (config.Bool("scale_attn_weights", true) ? 1.0 : Math.Sqrt(headDim))
                   / (config.Bool("scale_attn_by_inverse_layer_idx", false) ? layer + 1 : 1);
            _ln1 = new LayerNorm(hidden, eps, spec);
            _ln2 = new LayerNorm(hidden, eps, spec);
            var attn = new ModuleGroup("attn");
            _cAttn = attn.Add("c_attn", new Conv1D(hidden, 3 * hidden, spec));
            _attnProj = attn.Add("c_proj", new Conv1D(hidden, hidden, spec));
            var mlp = new ModuleGroup("mlp");
            _cFc = mlp.Add("c_fc", new Conv1D(hidden, inner, spec));
            _mlpProj = mlp.Add("c_proj", new Conv1D(inner, hidden, spec));
            register_module("ln_1", _ln1);
            register_module("attn", attn);
            register_module("ln_2", _ln2);
            register_module("mlp", mlp);
        }

        public override Tensor forward(Tensor x, ForwardContext ctx)
        {
            using var scope = torch.NewDisposeScope();
            long b = x.shape[0], s = x.shape[1];
            var qkv = _cAttn.call(_ln1.call(x)).view(b, s, 3, _heads, -1);
            var q = qkv.select(2, 0).transpose(1, 2);
            var k = qkv.select(2, 1).transpose(1, 2);
            var v = qkv.select(2, 2).transpose(1, 2);
            var attended = AttentionCore.Run(q, k, v, ctx, LayerIndex, rotary: false, _scale);
            var h = x + _attnProj.call(attended);
            var output = h + _mlpProj.call(MlpSite(_act(_cFc.call(_ln2.call(h)))));
            return output.MoveToOuterDisposeScope();
        }
    }
}
