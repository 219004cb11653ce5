using LlmLoc.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// Phi-3 / Phi-3.5 (transformers' Phi3ForCausalLM): the Llama skeleton with fused projections — <c>qkv_proj</c> rows
/// [q | k | v] and <c>gate_up_proj</c> rows [gate | up] (output silu(gate) · up) — rotary default or <c>longrope</c>
/// (long factors when max position + 1 exceeds original_max_position_embeddings, per call, as transformers), and
/// <c>sliding_window</c>.
/// </summary>
public sealed class Phi3 : Llama
{
    readonly int? _window;

    public Phi3(ModelConfig config, TensorSpec spec) : base("Phi3ForCausalLM", config, spec, tiedByDefault: false)
    {
        _window = config.IntOrNull("sliding_window");
    }

    protected override DecoderBlock CreateBlock(int layer) =>
        new Phi3Block(layer, Shape, Config.Double("rms_norm_eps", 1e-5), Activations.Get(Config.String("hidden_act") ?? "silu"), Spec);

    // transformers 4.44 builds Phi-3's mask with _prepare_4d_causal_attention_mask(sliding_window=...),
    // which keeps sliding_window + 1 keys (j ≥ i - window), one more than Mistral's mask.
    protected override int? SlidingWindow => _window + 1;

    sealed class Phi3Block : DecoderBlock
    {
        readonly LlamaShape _shape;
        readonly RmsNorm _inputNorm, _postNorm;
        readonly Linear _qkv, _o, _gateUp, _down;
        readonly Func<Tensor, Tensor> _act;

        public Phi3Block(int layer, LlamaShape shape, double eps, Func<Tensor, Tensor> act, TensorSpec spec) : base("Phi3DecoderLayer", layer, shape.Intermediate)
        {
            _shape = shape;
            _act = act;
            var attn = new ModuleGroup("self_attn");
            _o = attn.Add("o_proj", new Linear(shape.Heads * shape.HeadDim, shape.Hidden, false, spec));
            _qkv = attn.Add("qkv_proj", new Linear(shape.Hidden, (shape.Heads + 2 * shape.KvHeads) * shape.HeadDim, false, spec));
            var mlp = new ModuleGroup("mlp");
            _gateUp = mlp.Add("gate_up_proj", new Linear(shape.Hidden, 2 * shape.Intermediate, false, spec));
            _down = mlp.Add("down_proj", new Linear(shape.Intermediate, shape.Hidden, false, spec));
            _inputNorm = new RmsNorm(shape.Hidden, eps, spec);
            _postNorm = new RmsNorm(shape.Hidden, eps, spec);
            register_module("self_attn", attn);
            register_module("mlp", mlp);
            register_module("input_layernorm", _inputNorm);
            register_module("post_attention_layernorm", _postNorm);
        }

        public override Tensor forward(Tensor x, ForwardContext ctx)
        {
            using var scope = torch.NewDisposeScope();
            long b = x.shape[0], s = x.shape[1];
            int d = _shape.HeadDim;
            var qkv = _qkv.call(_inputNorm.call(x));
            var q = qkv.narrow(-1, 0, _shape.Heads * d).view(b, s, _shape.Heads, d).transpose(1, 2);
            var k = qkv.narrow(-1, _shape.Heads * d, _shape.KvHeads * d).view(b, s, _shape.KvHeads, d).transpose(1, 2);
            var v = qkv.narrow(-1, (_shape.Heads + _shape.KvHeads) * d, _shape.KvHeads * d).view(b, s, _shape.KvHeads, d).transpose(1, 2);
            var h = x + _o.call(AttentionCore.Run(q, k, v, ctx, LayerIndex, rotary: true));
            var gateUp = _gateUp.call(_postNorm.call(h));
            var gate = gateUp.narrow(-1, 0, _shape.Intermediate);
            var up = gateUp.narrow(-1, _shape.Intermediate, _shape.Intermediate);
            var output = h + _down.call(MlpSite(up * _act(gate)));
            return output.MoveToOuterDisposeScope();
        }
    }
}
