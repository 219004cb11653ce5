namespace LlmLoc.Models;

/// <summary>config.json of the Hub's GPT-2 sizes, so untrained GPT-2 models need no download.</summary>
public static class Gpt2Configs
{
    public static IReadOnlyList<string> Names { get; } = ["gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl"];

    public static string Json(string name)
    {
        var (layers, hidden, heads) = name switch
        {
            "gpt2" => (12, 768, 12),
            "gpt2-medium" => (24, 1024, 16),
            "gpt2-large" => (36, 1280, 20),
            "gpt2-xl" => (48, 1600, 25),
            _ => throw new LlmLocException($"unknown GPT-2 size '{name}'; use one of {string.Join(", ", Names)}", ExitCodes.Usage),
        };
        return $$"""
        {
          "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
          "bos_token_id": 50256, "eos_token_id": 50256, "embd_pdrop": 0.1, "initializer_range": 0.02,
          "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": {{hidden}}, "n_head": {{heads}},
          "n_layer": {{layers}}, "n_positions": 1024, "resid_pdrop": 0.1, "reorder_and_upcast_attn": false,
          "scale_attn_by_inverse_layer_idx": false, "scale_attn_weights": true, "vocab_size": 50257
        }
        """;
    }
}
