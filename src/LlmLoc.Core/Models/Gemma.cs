using LlmLoc.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// Gemma (transformers' GemmaForCausalLM): the Llama layout with RMSNorm scaling by (1 + weight), embeddings
/// multiplied by sqrt(hidden_size) rounded to the embedding dtype, a gelu-tanh MLP (hidden_activation), head_dim
/// from config, and a tied LM head.
/// </summary>
public class Gemma : Llama
{
    public Gemma(ModelConfig config, TensorSpec spec) : this("GemmaForCausalLM", config, spec) { }

    protected Gemma(string name, ModelConfig config, TensorSpec spec) : base(name, config, spec, tiedByDefault: true) { }

    // transformers 4.44 uses hidden_activation, defaulting to gelu_pytorch_tanh (hidden_act is ignored).
    protected override DecoderBlock CreateBlock(int layer) =>
        new LlamaBlock(layer, Shape, CreateNorm, Activations.Get(Config.String("hidden_activation") ?? "gelu_pytorch_tanh"), Spec);

    protected override int? DefaultPadTokenId => 0; // GemmaConfig's default

    protected override nn.Module<Tensor, Tensor> CreateNorm() => new RmsNorm(Config.HiddenSize, Config.Double("rms_norm_eps", 1e-6), Spec, offsetByOne: true);

    protected override Tensor Embed(Tensor inputIds, ForwardContext ctx)
    {
        using var scope = torch.NewDisposeScope();
        var embedded = EmbedTokens.call(inputIds);
        // The normalizer is a tensor in the hidden dtype, so bf16 models multiply by sqrt(hidden) rounded to bf16.
        using var normalizer = torch.tensor(Math.Sqrt(Config.HiddenSize), embedded.dtype, embedded.device);
        return (embedded * normalizer).MoveToOuterDisposeScope();
    }
}
