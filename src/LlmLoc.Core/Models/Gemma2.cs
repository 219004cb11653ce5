using LlmLoc.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// Gemma 2 (transformers' Gemma2ForCausalLM): Gemma's embeddings × √hidden, (1 + w) RMSNorm, gelu-tanh MLP and tied
/// head, plus four norms per block (pre/post attention, pre/post feed-forward), scores scaled by
/// query_pre_attn_scalar^-½ and soft-capped (attn_logit_softcapping), a sliding window on even layers (0, 2, …)
/// and soft-capped final logits (final_logit_softcapping). Defaults are Gemma2Config's; a null soft-cap turns it off.
/// </summary>
public sealed class Gemma2 : Gemma
{
    readonly double? _finalSoftCap;

    public Gemma2(ModelConfig config, TensorSpec spec) : base("Gemma2ForCausalLM", config, spec)
    {
        _finalSoftCap = config.DoubleOrNull("final_logit_softcapping", 30.0);
    }

    protected override LlamaShape ReadShape(ModelConfig config) =>
        LlamaShape.From(config) with { HeadDim = config.Int("head_dim", 256), MlpBias = false };

    // Gemma2RotaryEmbedding has no scaling: a rope_scaling entry would be silently ignored by transformers 4.44.
    protected override RotaryEmbedding CreateRotary() => new(Shape.HeadDim, Config.Double("rope_theta", 10000.0), Config.Object("rope_scaling"),
        Config.Int("max_position_embeddings", 8192), null, "gemma2", ["default"]);

    protected override DecoderBlock CreateBlock(int layer)
    {
        if (Config.Raw.ContainsKey("sliding_window") && Config.IntOrNull("sliding_window") is null)
            throw new LlmLocException("config.json of this gemma2 model sets sliding_window: null, which transformers 4.44 cannot run; set the window size (Gemma 2 uses 4096)", ExitCodes.RuntimeError);
        var attention = new Gemma2Block.Attention(
            Scale: Math.Sqrt(Shape.HeadDim) / Math.Sqrt(Config.Double("query_pre_attn_scalar", 224)),
            SoftCap: Config.DoubleOrNull("attn_logit_softcapping", 50.0),
            SlidingWindow: layer % 2 == 0 ? Config.Int("sliding_window", 4096) : null);
        return new Gemma2Block(layer, Shape, CreateNorm, Activations.Get(Config.String("hidden_activation") ?? "gelu_pytorch_tanh"), attention, Spec);
    }

    protected override Tensor LmHead(Tensor hidden)
    {
        var logits = base.LmHead(hidden);
        if (_finalSoftCap is not double cap) return logits;
        using var scope = torch.NewDisposeScope();
        return logits.div_(cap).tanh_().mul_(cap).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// h = x + post_attention_layernorm(o_proj(attn(input_layernorm(x))));
    /// out = h + post_feedforward_layernorm(mlp(pre_feedforward_layernorm(h))).
    /// </summary>
    sealed class Gemma2Block : DecoderBlock
    {
        /// <summary>Scale on q relative to 1/√head_dim, the score soft-cap, and this layer's sliding window.</summary>
        public sealed record Attention(double Scale, double? SoftCap, int? SlidingWindow);

        readonly LlamaShape _shape;
        readonly Attention _attention;
        readonly nn.Module<Tensor, Tensor> _inputNorm, _postAttnNorm, _preFfNorm, _postFfNorm;
        readonly Linear _q, _k, _v, _o, _gate, _up, _down;
        readonly Func<Tensor, Tensor> _act;

        public Gemma2Block(int layer, LlamaShape shape, Func<nn.Module<Tensor, Tensor>> norm, Func<Tensor, Tensor> act, Attention attention, TensorSpec spec)
            : base("Gemma2DecoderLayer", layer, shape.Intermediate)
        {
            _shape = shape;
            _act = act;
            _attention = attention;
            var attn = new ModuleGroup("self_attn");
            _q = attn.Add("q_proj", new Linear(shape.Hidden, shape.Heads * shape.HeadDim, shape.AttentionBias, spec));
            _k = attn.Add("k_proj", new Linear(shape.Hidden, shape.KvHeads * shape.HeadDim, shape.AttentionBias, spec));
            _v = attn.Add("v_proj", new Linear(shape.Hidden, shape.KvHeads * shape.HeadDim, shape.AttentionBias, spec));
            _o = attn.Add("o_proj", new Linear(shape.Heads * shape.HeadDim, shape.Hidden, shape.OutputBias, spec));
            var mlp = new ModuleGroup("mlp");
            _gate = mlp.Add("gate_proj", new Linear(shape.Hidden, shape.Intermediate, false, spec));
            _up = mlp.Add("up_proj", new Linear(shape.Hidden, shape.Intermediate, false, spec));
            _down = mlp.Add("down_proj", new Linear(shape.Intermediate, shape.Hidden, false, spec));
            register_module("self_attn", attn);
            register_module("mlp", mlp);
            register_module("input_layernorm", _inputNorm = norm());
            register_module("post_attention_layernorm", _postAttnNorm = norm());
            register_module("pre_feedforward_layernorm", _preFfNorm = norm());
            register_module("post_feedforward_layernorm", _postFfNorm = norm());
        }

        public override Tensor forward(Tensor x, ForwardContext ctx)
        {
            using var scope = torch.NewDisposeScope();
            long b = x.shape[0], s = x.shape[1];
            var n = _inputNorm.call(x);
            var q = _q.call(n).view(b, s, _shape.Heads, _shape.HeadDim).transpose(1, 2);
            var k = _k.call(n).view(b, s, _shape.KvHeads, _shape.HeadDim).transpose(1, 2);
            var v = _v.call(n).view(b, s, _shape.KvHeads, _shape.HeadDim).transpose(1, 2);
            var attended = AttentionCore.Run(q, k, v, ctx, LayerIndex, rotary: true, _attention.Scale, _attention.SlidingWindow, _attention.SoftCap);
            var h = x + _postAttnNorm.call(_o.call(attended));
            var m = _preFfNorm.call(h);
            var output = h + _postFfNorm.call(_down.call(MlpSite(_act(_gate.call(m)) * _up.call(m))));
            return output.MoveToOuterDisposeScope();
        }
    }
}
