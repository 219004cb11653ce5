using LlmLoc.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// GPT-NeoX / Pythia (transformers' GPTNeoXForCausalLM): fused <c>query_key_value</c> laid out per head as
/// [q, k, v], rotary on the first int(head_dim × rotary_pct) dims of each head (base rotary_emb_base; rope_scaling
/// linear or dynamic), LayerNorms with bias (layer_norm_eps), biases on the attention projections when
/// attention_bias, a parallel (x + attn(ln1 x) + mlp(ln2 x)) or sequential residual (use_parallel_residual), and an
/// untied head <c>embed_out</c> unless tie_word_embeddings.
/// </summary>
public sealed class GptNeoX : CausalLmBase
{
    readonly Embedding _embedIn;
    readonly LayerNorm _finalNorm;
    readonly Linear? _embedOut;
    readonly List<DecoderBlock> _blocks;
    readonly RotaryEmbedding _rotary;

    public GptNeoX(ModelConfig config, TensorSpec spec) : base("GPTNeoXForCausalLM", config, spec)
    {
        var shape = NeoXShape.From(config);
        var model = new ModuleGroup("gpt_neox");
        _embedIn = model.Add("embed_in", new Embedding(config.VocabSize, config.HiddenSize, spec));
        _blocks = Enumerable.Range(0, config.NumLayers).Select(i => (DecoderBlock)new NeoXBlock(i, shape, spec)).ToList();
        model.Add("layers", new TorchSharp.Modules.ModuleList<DecoderBlock>(_blocks.ToArray()));
        _finalNorm = model.Add("final_layer_norm", new LayerNorm(config.HiddenSize, shape.Eps, spec));
        register_module("gpt_neox", model);
        if (!config.Bool("tie_word_embeddings", false))
        {
            _embedOut = new Linear(config.HiddenSize, config.VocabSize, hasBias: false, spec);
            register_module("embed_out", _embedOut);
        }
        _rotary = new RotaryEmbedding(shape.RotaryDims, config.Double("rotary_emb_base", 10000.0), config.Object("rope_scaling"),
            config.Int("max_position_embeddings", 2048), null, "gpt_neox", ["default", "linear", "dynamic"]);
    }

    protected override IReadOnlyList<DecoderBlock> Blocks => _blocks;
    protected override RotaryEmbedding Rotary => _rotary;
    protected override Tensor Embed(Tensor inputIds, ForwardContext ctx) => _embedIn.call(inputIds);
    protected override Tensor FinalNorm(Tensor hidden) => _finalNorm.call(hidden);
    protected override Tensor LmHead(Tensor hidden) => _embedOut is null ? nn.functional.linear(hidden, _embedIn.weight) : _embedOut.call(hidden);

    // Checkpoints written by older transformers carry the causal-mask and rotary buffers.
    public override bool IsIgnorableKey(string key) =>
        key.EndsWith(".attention.bias") || key.EndsWith(".attention.masked_bias") || key.EndsWith(".rotary_emb.inv_freq")
        || (_embedOut is null && key == "embed_out.weight");

    sealed record NeoXShape(int Hidden, int Heads, int HeadDim, int RotaryDims, int Intermediate, bool AttentionBias, bool Parallel, double Eps, string Activation)
    {
        public static NeoXShape From(ModelConfig c)
        {
            int heads = c.Int("num_attention_heads");
            if (c.HiddenSize % heads != 0)
                throw new LlmLocException($"hidden_size {c.HiddenSize} is not divisible by num_attention_heads {heads}; fix config.json", ExitCodes.RuntimeError);
            int headDim = c.HiddenSize / heads;
            return new NeoXShape(c.HiddenSize, heads, headDim, (int)(headDim * c.Double("rotary_pct", 0.25)), c.Int("intermediate_size"),
                c.Bool("attention_bias", true), c.Bool("use_parallel_residual", true), c.Double("layer_norm_eps", 1e-5), c.String("hidden_act") ?? "gelu");
        }
    }

    sealed class NeoXBlock : DecoderBlock
    {
        readonly NeoXShape _s;
        readonly LayerNorm _inputNorm, _postNorm;
        readonly Linear _qkv, _dense, _up, _down;
        readonly Func<Tensor, Tensor> _act;

        public NeoXBlock(int layer, NeoXShape s, TensorSpec spec) : base("GPTNeoXLayer", layer, s.Intermediate)
        {
            _s = s;
            _act = Activations.Get(s.Activation);
            register_module("input_layernorm", _inputNorm = new LayerNorm(s.Hidden, s.Eps, spec));
            register_module("post_attention_layernorm", _postNorm = new LayerNorm(s.Hidden, s.Eps, spec));
            var attention = new ModuleGroup("attention");
            _qkv = attention.Add("query_key_value", new Linear(s.Hidden, 3 * s.Hidden, s.AttentionBias, spec));
            _dense = attention.Add("dense", new Linear(s.Hidden, s.Hidden, s.AttentionBias, spec));
            var mlp = new ModuleGroup("mlp");
            _up = mlp.Add("dense_h_to_4h", new Linear(s.Hidden, s.Intermediate, true, spec));
            _down = mlp.Add("dense_4h_to_h", new Linear(s.Intermediate, s.Hidden, true, spec));
            register_module("attention", attention);
            register_module("mlp", mlp);
        }

        public override Tensor forward(Tensor x, ForwardContext ctx)
        {
            using var scope = torch.NewDisposeScope();
            long b = x.shape[0], len = x.shape[1];
            int d = _s.HeadDim;
            // Per head: [q | k | v], each head_dim wide.
            var qkv = _qkv.call(_inputNorm.call(x)).view(b, len, _s.Heads, 3 * d);
            var q = qkv.narrow(-1, 0, d).transpose(1, 2);
            var k = qkv.narrow(-1, d, d).transpose(1, 2);
            var v = qkv.narrow(-1, 2 * d, d).transpose(1, 2);
            var attention = _dense.call(AttentionCore.Run(q, k, v, ctx, LayerIndex, rotary: true));
            Tensor output;
            if (_s.Parallel)
                output = Mlp(_postNorm.call(x)) + attention + x;
            else
            {
                var h = attention + x;
                output = Mlp(_postNorm.call(h)) + h;
            }
            return output.MoveToOuterDisposeScope();
        }

        Tensor Mlp(Tensor x) => _down.call(MlpSite(_act(_up.call(x))));
    }
}
