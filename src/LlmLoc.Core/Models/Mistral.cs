using LlmLoc.Models.Common;

namespace LlmLoc.Models;

/// <summary>
/// Mistral (transformers' MistralForCausalLM): the Llama block unchanged (RMSNorm, rotary, GQA, SwiGLU, no biases),
/// plus <c>sliding_window</c> (null = full attention): query i sees keys j with i - window &lt; j ≤ i.
/// </summary>
public sealed class Mistral : Llama
{
    readonly int? _window;

    public Mistral(ModelConfig config, TensorSpec spec) : base("MistralForCausalLM", config, spec, tiedByDefault: false)
    {
        _window = config.IntOrNull("sliding_window");
        if (config.Object("rope_scaling") is not null)
            throw new LlmLocException("rope_scaling is not part of Mistral in transformers 4.44; remove it from config.json or use a Llama config", ExitCodes.RuntimeError);
    }

    protected override int? SlidingWindow => _window;
}
