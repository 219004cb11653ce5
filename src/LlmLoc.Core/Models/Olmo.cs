using LlmLoc.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// OLMo 1 (transformers' OlmoForCausalLM): the Llama layout with a LayerNorm that has no weight and no bias
/// (eps 1e-5, computed in float32), SwiGLU, rotary (rope_theta; rope_scaling linear or dynamic), optional biases on
/// q/k/v/o (attention_bias), q/k/v clamped to ±clip_qkv when set, untied head unless tie_word_embeddings.
/// </summary>
public sealed class Olmo : Llama
{
    public Olmo(ModelConfig config, TensorSpec spec) : base("OlmoForCausalLM", config, spec, tiedByDefault: false) { }

    protected override LlamaShape ReadShape(ModelConfig config)
    {
        var shape = LlamaShape.From(config);
        return shape with { HeadDim = config.HiddenSize / shape.Heads, MlpBias = false };
    }

    protected override RotaryEmbedding CreateRotary() => new(Shape.HeadDim, Config.Double("rope_theta", 10000.0), Config.Object("rope_scaling"),
        Config.Int("max_position_embeddings", 2048), null, "olmo", ["default", "linear", "dynamic"]);

    protected override DecoderBlock CreateBlock(int layer) =>
        new LlamaBlock(layer, Shape, CreateNorm, Activations.Get(Config.String("hidden_act") ?? "silu"), Spec, Config.DoubleOrNull("clip_qkv"));

    protected override nn.Module<Tensor, Tensor> CreateNorm() => new ParameterFreeLayerNorm();

    protected override int? DefaultPadTokenId => 1; // OlmoConfig's default

    /// <summary>OLMo's LayerNorm: normalization only, in float32, eps 1e-5 (fixed in transformers, not a config key).</summary>
    sealed class ParameterFreeLayerNorm() : nn.Module<Tensor, Tensor>("OlmoLayerNorm")
    {
        public override Tensor forward(Tensor x)
        {
            using var x32 = x.to(ScalarType.Float32);
            using var normalized = nn.functional.layer_norm(x32, [x.shape[^1]], eps: 1e-5);
            return normalized.to(x.dtype);
        }
    }
}
