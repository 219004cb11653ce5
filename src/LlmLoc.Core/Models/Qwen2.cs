using LlmLoc.Models.Common;

namespace LlmLoc.Models;

/// <summary>
/// Qwen2 / Qwen2.5 (transformers' Qwen2ForCausalLM): the Llama block with biases on q/k/v but not on o_proj,
/// head_dim = hidden_size / num_attention_heads, GQA, rotary (rope_theta), untied head unless tie_word_embeddings.
/// transformers 4.44's eager/SDPA attention ignores use_sliding_window and rope_scaling, so both are refused rather
/// than guessed.
/// </summary>
public sealed class Qwen2 : Llama
{
    public Qwen2(ModelConfig config, TensorSpec spec) : base("Qwen2ForCausalLM", config, spec, tiedByDefault: false) { }

    protected override LlamaShape ReadShape(ModelConfig config)
    {
        if (config.Bool("use_sliding_window", false))
            throw new LlmLocException("config.json of this qwen2 model sets use_sliding_window: true, which transformers 4.44 does not apply (eager/SDPA attention); set it to false or use another checkpoint", ExitCodes.RuntimeError);
        if (config.Object("rope_scaling") is not null)
            throw new LlmLocException("config.json of this qwen2 model sets rope_scaling, which transformers 4.44's Qwen2 ignores; remove it (null) or use another checkpoint", ExitCodes.RuntimeError);
        var shape = LlamaShape.From(config);
        return shape with { HeadDim = config.HiddenSize / shape.Heads, AttentionBias = true, OutputBias = false, MlpBias = false };
    }
}
