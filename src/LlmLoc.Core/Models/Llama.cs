using LlmLoc.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// Llama 2 / 3 / 3.1 / 3.2 (transformers' LlamaForCausalLM): RMSNorm, rotary (rope_theta, rope_scaling default /
/// linear / dynamic / llama3), grouped-query attention, SwiGLU MLP, optional attention/MLP biases, head_dim from config.
/// Mistral, Gemma and Phi-3 share this model skeleton (embed_tokens → layers → norm → lm_head).
/// </summary>
public class Llama : CausalLmBase
{
    readonly Embedding _embed;
    readonly nn.Module<Tensor, Tensor> _norm;
    readonly Linear? _lmHead;
    readonly List<DecoderBlock> _blocks;
    readonly RotaryEmbedding _rotary;

    public Llama(ModelConfig config, TensorSpec spec) : this("LlamaForCausalLM", config, spec, tiedByDefault: false) { }

    protected Llama(string name, ModelConfig config, TensorSpec spec, bool tiedByDefault) : base(name, config, spec)
    {
        Shape = ReadShape(config);
        var model = new ModuleGroup("model");
        _embed = model.Add("embed_tokens", new Embedding(config.VocabSize, config.HiddenSize, spec));
        _blocks = Enumerable.Range(0, config.NumLayers).Select(CreateBlock).ToList();
        model.Add("layers", new TorchSharp.Modules.ModuleList<DecoderBlock>(_blocks.ToArray()));
        _norm = model.Add("norm", CreateNorm());
        register_module("model", model);
        if (!config.Bool("tie_word_embeddings", tiedByDefault))
        {
            _lmHead = new Linear(config.HiddenSize, config.VocabSize, hasBias: false, spec);
            register_module("lm_head", _lmHead);
        }
        _rotary = CreateRotary();
    }

    /// <summary>Attention/MLP sizes read from the config.</summary>
    protected LlamaShape Shape { get; }

    /// <summary>Called by the constructor (before any module exists): the family's reading of the sizes.</summary>
    protected virtual LlamaShape ReadShape(ModelConfig config) => LlamaShape.From(config);

    protected virtual RotaryEmbedding CreateRotary() => new(Shape.HeadDim, Config.Double("rope_theta", 10000.0), Config.Object("rope_scaling"),
        Config.Int("max_position_embeddings", 2048), Config.IntOrNull("original_max_position_embeddings"), Config.ModelType);

    protected virtual DecoderBlock CreateBlock(int layer) =>
        new LlamaBlock(layer, Shape, CreateNorm, Activations.Get(Config.String("hidden_act") ?? "silu"), Spec);

    /// <summary>The norm of the blocks (input/post-attention) and the final one.</summary>
    protected virtual nn.Module<Tensor, Tensor> CreateNorm() => new RmsNorm(Config.HiddenSize, Config.Double("rms_norm_eps", 1e-6), Spec);

    protected override IReadOnlyList<DecoderBlock> Blocks => _blocks;
    protected override RotaryEmbedding Rotary => _rotary;
    protected Embedding EmbedTokens => _embed;

    protected override Tensor Embed(Tensor inputIds, ForwardContext ctx) => _embed.call(inputIds);
    protected override Tensor FinalNorm(Tensor hidden) => _norm.call(hidden);
    protected override Tensor LmHead(Tensor hidden) => _lmHead is null ? nn.functional.linear(hidden, _embed.weight) : _lmHead.call(hidden);

    // Old checkpoints carry the rotary inverse frequencies as a buffer; tied heads may still be written out.
    public override bool IsIgnorableKey(string key) =>
        key.EndsWith("rotary_emb.inv_freq") || (_lmHead is null && key == "lm_head.weight");

    /// <summary>The config class's pad_token_id default, used when config.json does not name one.</summary>
    protected virtual int? DefaultPadTokenId => null;

    // nn.Embedding(padding_idx = pad_token_id) starts that row at zero.
    protected override long? EmbeddingPaddingRow(Embedding embedding) =>
        (Config.Raw.ContainsKey("pad_token_id") ? Config.PadTokenId : DefaultPadTokenId) is int pad && pad >= 0 && pad < Config.VocabSize ? pad : null;
}

/// <summary>
/// Head counts and widths of a Llama-style attention + MLP. <see cref="AttentionBias"/> covers q/k/v,
/// <see cref="OutputBias"/> o_proj (Qwen2 has the first without the second).
/// </summary>
public sealed record LlamaShape(int Hidden, int Heads, int KvHeads, int HeadDim, int Intermediate, bool AttentionBias, bool OutputBias, bool MlpBias)
{
    public static LlamaShape From(ModelConfig c)
    {
        int heads = c.Int("num_attention_heads");
        int kv = c.Int("num_key_value_heads", heads);
        int headDim = c.IntOrNull("head_dim") ?? c.HiddenSize / heads;
        if (heads % kv != 0) throw new LlmLocException($"num_attention_heads {heads} is not a multiple of num_key_value_heads {kv}; fix config.json", ExitCodes.RuntimeError);
        bool bias = c.Bool("attention_bias", false);
        return new LlamaShape(c.HiddenSize, heads, kv, headDim, c.Int("intermediate_size"), bias, bias, c.Bool("mlp_bias", false));
    }
}

/// <summary>
/// Pre-norm block: h = x + o_proj(attn(input_layernorm(x))); out = h + down(act(gate(n)) * up(n)), n = post_attention_layernorm(h).
/// Gemma uses it with its (1 + weight) RMSNorm and a gelu activation, Qwen2 with q/k/v biases, OLMo with a
/// parameter-free LayerNorm and q/k/v clamped to ±<paramref name="clipQkv"/>.
/// </summary>
public sealed class LlamaBlock : DecoderBlock
{
    readonly LlamaShape _shape;
    readonly nn.Module<Tensor, Tensor> _inputNorm, _postNorm;
    readonly Linear _q, _k, _v, _o, _gate, _up, _down;
    readonly Func<Tensor, Tensor> _act;
    readonly double? _clipQkv;

    public LlamaBlock(int layer, LlamaShape shape, Func<nn.Module<Tensor, Tensor>> norm, Func<Tensor, Tensor> act, TensorSpec spec, double? clipQkv = null)
        : base("LlamaDecoderLayer", layer, shape.Intermediate)
    {
        _shape = shape;
        _act = act;
        _clipQkv = clipQkv;
        var attn = new ModuleGroup("self_attn");
        _q = attn.Add("q_proj", new Linear(shape.Hidden, shape.Heads * shape.HeadDim, shape.AttentionBias, spec));
        _k = attn.Add("k_proj", new Linear(shape.Hidden, shape.KvHeads * shape.HeadDim, shape.AttentionBias, spec));
        _v = attn.Add("v_proj", new Linear(shape.Hidden, shape.KvHeads * shape.HeadDim, shape.AttentionBias, spec));
        _o = attn.Add("o_proj", new Linear(shape.Heads * shape.HeadDim, shape.Hidden, shape.OutputBias, spec));
        var mlp = new ModuleGroup("mlp");
        _gate = mlp.Add("gate_proj", new Linear(shape.Hidden, shape.Intermediate, shape.MlpBias, spec));
        _up = mlp.Add("up_proj", new Linear(shape.Hidden, shape.Intermediate, shape.MlpBias, spec));
        _down = mlp.Add("down_proj", new Linear(shape.Intermediate, shape.Hidden, shape.MlpBias, spec));
        _inputNorm = norm();
        _postNorm = norm();
        register_module("self_attn", attn);
        register_module("mlp", mlp);
        register_module("input_layernorm", _inputNorm);
        register_module("post_attention_layernorm", _postNorm);
    }

    public override Tensor forward(Tensor x, ForwardContext ctx)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], s = x.shape[1];
        var n = _inputNorm.call(x);
        var q = Clip(_q.call(n)).view(b, s, _shape.Heads, _shape.HeadDim).transpose(1, 2);
        var k = Clip(_k.call(n)).view(b, s, _shape.KvHeads, _shape.HeadDim).transpose(1, 2);
        var v = Clip(_v.call(n)).view(b, s, _shape.KvHeads, _shape.HeadDim).transpose(1, 2);
        var h = x + _o.call(AttentionCore.Run(q, k, v, ctx, LayerIndex, rotary: true));
        var m = _postNorm.call(h);
        var output = h + _down.call(MlpSite(_act(_gate.call(m)) * _up.call(m)));
        return output.MoveToOuterDisposeScope();
    }

    Tensor Clip(Tensor projected) => _clipQkv is double c ? projected.clamp_(-c, c) : projected;
}
