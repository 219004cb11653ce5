using LlmLoc.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// Falcon (transformers' FalconForCausalLM) with rotary positions: fused <c>query_key_value</c> — multi-query
/// [q heads | k | v], classic per-head [q, k, v], or under <c>new_decoder_architecture</c> grouped per kv head
/// [q … q, k, v] — parallel attention + MLP with one LayerNorm (<c>input_layernorm</c>) or two (<c>ln_attn</c>, <c>ln_mlp</c>),
/// or sequential with <c>post_attention_layernorm</c>; exact-erf GELU; tied LM head by default. ALiBi is refused.
/// </summary>
public sealed class Falcon : CausalLmBase
{
    readonly Embedding _embed;
    readonly LayerNorm _lnF;
    readonly Linear? _lmHead;
    readonly List<DecoderBlock> _blocks;
    readonly RotaryEmbedding _rotary;

    public Falcon(ModelConfig config, TensorSpec spec) : base("FalconForCausalLM", config, spec)
    {
        if (config.Bool("alibi", false))
            throw new LlmLocException("Falcon with alibi positions is not supported (only rotary Falcon models, e.g. falcon-7b/40b/180b); use another checkpoint", ExitCodes.RuntimeError);
        var shape = FalconShape.From(config);
        var transformer = new ModuleGroup("transformer");
        _embed = transformer.Add("word_embeddings", new Embedding(config.VocabSize, config.HiddenSize, spec));
        _blocks = Enumerable.Range(0, config.NumLayers).Select(i => (DecoderBlock)new FalconBlock(i, shape, spec)).ToList();
        transformer.Add("h", new TorchSharp.Modules.ModuleList<DecoderBlock>(_blocks.ToArray()));
        _lnF = transformer.Add("ln_f", new LayerNorm(config.HiddenSize, shape.Eps, spec));
        register_module("transformer", transformer);
        if (!config.Bool("tie_word_embeddings", true))
        {
            _lmHead = new Linear(config.HiddenSize, config.VocabSize, hasBias: false, spec);
            register_module("lm_head", _lmHead);
        }
        _rotary = new RotaryEmbedding(shape.HeadDim, config.Double("rope_theta", 10000.0), config.Object("rope_scaling"),
            config.Int("max_position_embeddings", 2048), null, "falcon");
    }

    /// <summary>The MLP's hidden width: ffn_hidden_size, or 4 · hidden_size when it is not set.</summary>
    public static int MlpWidthOf(ModelConfig config) => config.IntOrNull("ffn_hidden_size") ?? 4 * config.HiddenSize;

    protected override IReadOnlyList<DecoderBlock> Blocks => _blocks;
    protected override RotaryEmbedding Rotary => _rotary;
    protected override Tensor Embed(Tensor inputIds, ForwardContext ctx) => _embed.call(inputIds);
    protected override Tensor FinalNorm(Tensor hidden) => _lnF.call(hidden);
    protected override Tensor LmHead(Tensor hidden) => _lmHead is null ? nn.functional.linear(hidden, _embed.weight) : _lmHead.call(hidden);
    public override bool IsIgnorableKey(string key) => _lmHead is null && key == "lm_head.weight";

    sealed record FalconShape(int Hidden, int Heads, int KvHeads, int HeadDim, int Ffn, bool Bias, double Eps,
        bool NewArch, bool MultiQuery, bool Parallel, int LayerNormsInParallel, string Activation)
    {
        public static FalconShape From(ModelConfig c)
        {
            int heads = c.IntOrNull("num_attention_heads") ?? c.Int("n_head");
            bool newArch = c.Bool("new_decoder_architecture", false), multiQuery = c.Bool("multi_query", true);
            // Key/value heads: num_kv_heads under the new architecture, one for multi-query, else one per query head.
            int kv = newArch ? c.IntOrNull("num_kv_heads") ?? heads : multiQuery ? 1 : heads;
            return new FalconShape(c.HiddenSize, heads, kv, c.HiddenSize / heads, MlpWidthOf(c),
                c.Bool("bias", false), c.Double("layer_norm_epsilon", 1e-5), newArch, multiQuery, c.Bool("parallel_attn", true),
                c.IntOrNull("num_ln_in_parallel_attn") ?? (newArch ? 2 : 1), c.String("activation") ?? "gelu");
        }
    }

    sealed class FalconBlock : DecoderBlock
    {
        readonly FalconShape _s;
        readonly Linear _qkv, _dense, _up, _down;
        readonly LayerNorm? _inputNorm, _postNorm, _lnAttn, _lnMlp;
        readonly Func<Tensor, Tensor> _act;

        public FalconBlock(int layer, FalconShape s, TensorSpec spec) : base("FalconDecoderLayer", layer, s.Ffn)
        {
            _s = s;
            _act = Activations.Get(s.Activation);
            int qkvOut = s.NewArch ? (2 * s.KvHeads + s.Heads) * s.HeadDim : s.MultiQuery ? s.Hidden + 2 * s.HeadDim : 3 * s.Hidden;
            var attn = new ModuleGroup("self_attention");
            _qkv = attn.Add("query_key_value", new Linear(s.Hidden, qkvOut, s.Bias, spec));
            _dense = attn.Add("dense", new Linear(s.Hidden, s.Hidden, s.Bias, spec));
            var mlp = new ModuleGroup("mlp");
            _up = mlp.Add("dense_h_to_4h", new Linear(s.Hidden, s.Ffn, s.Bias, spec));
            _down = mlp.Add("dense_4h_to_h", new Linear(s.Ffn, s.Hidden, s.Bias, spec));
            register_module("self_attention", attn);
            register_module("mlp", mlp);
            if (s.NewArch && s.LayerNormsInParallel == 2)
            {
                register_module("ln_attn", _lnAttn = new LayerNorm(s.Hidden, s.Eps, spec));
                register_module("ln_mlp", _lnMlp = new LayerNorm(s.Hidden, s.Eps, spec));
            }
            else
            {
                register_module("input_layernorm", _inputNorm = new LayerNorm(s.Hidden, s.Eps, spec));
                if (!s.Parallel) register_module("post_attention_layernorm", _postNorm = new LayerNorm(s.Hidden, s.Eps, spec));
            }
        }

        public override Tensor forward(Tensor x, ForwardContext ctx)
        {
            using var scope = torch.NewDisposeScope();
            Tensor attnIn, mlpIn;
            if (_lnAttn is not null) { attnIn = _lnAttn.call(x); mlpIn = _lnMlp!.call(x); }
            else { attnIn = _inputNorm!.call(x); mlpIn = attnIn; }
            var attention = _dense.call(Attend(attnIn, ctx));
            var residual = x;
            if (!_s.NewArch && !_s.Parallel)
            {
                residual = x + attention;
                mlpIn = _postNorm!.call(residual);
            }
            var mlp = _down.call(MlpSite(_act(_up.call(mlpIn))));
            if (_s.NewArch || _s.Parallel) mlp = mlp + attention;
            return (mlp + residual).MoveToOuterDisposeScope();
        }

        Tensor Attend(Tensor x, ForwardContext ctx)
        {
            long b = x.shape[0], sLen = x.shape[1];
            int d = _s.HeadDim;
            var fused = _qkv.call(x);
            Tensor q, k, v;
            if (_s.NewArch)
            {
                // Per kv group: (heads / kv_heads) query heads, then its key, then its value.
                int perGroup = _s.Heads / _s.KvHeads;
                var grouped = fused.view(b, sLen, _s.KvHeads, perGroup + 2, d);
                q = grouped.narrow(3, 0, perGroup).reshape(b, sLen, _s.Heads, d);
                k = grouped.select(3, perGroup);
                v = grouped.select(3, perGroup + 1);
            }
            else if (_s.MultiQuery)
            {
                var split = fused.view(b, sLen, _s.Heads + 2, d);
                q = split.narrow(2, 0, _s.Heads);
                k = split.narrow(2, _s.Heads, 1);
                v = split.narrow(2, _s.Heads + 1, 1);
            }
            else
            {
                var split = fused.view(b, sLen, _s.Heads, 3, d);
                q = split.select(3, 0);
                k = split.select(3, 1);
                v = split.select(3, 2);
            }
            return AttentionCore.Run(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), ctx, LayerIndex, rotary: true);
        }
    }
}
