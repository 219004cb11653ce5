using System.Text.Json.Nodes;
using LlmLoc.Models;
using LlmLoc.Models.SafeTensors;
using TorchSharp;
using static LlmLoc.Tests.Infrastructure.ModelFixture;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Models;

/// <summary>Tiny models of every family built in code, saved as safetensors + config.json and reloaded.</summary>
public class FamilyRoundTripTests
{
    const string Llama = """{"model_type":"llama","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"vocab_size":97,"rms_norm_eps":1e-5,"rope_theta":10000.0,"attention_bias":true,"mlp_bias":true,"max_position_embeddings":64,"initializer_range":0.1,"pad_token_id":0,"rope_scaling":{"rope_type":"dynamic","factor":2.0}}""";

    public static TheoryData<string, string> Configs => new()
    {
        { "gpt2", """{"model_type":"gpt2","n_embd":24,"n_head":3,"n_layer":2,"n_positions":32,"vocab_size":101,"initializer_range":0.1,"scale_attn_by_inverse_layer_idx":true,"activation_function":"gelu_new"}""" },
        { "llama", Llama },
        { "mistral", """{"model_type":"mistral","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":1,"vocab_size":97,"sliding_window":3,"initializer_range":0.1}""" },
        { "gemma", """{"model_type":"gemma","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":1,"head_dim":16,"vocab_size":97,"initializer_range":0.1,"pad_token_id":0}""" },
        { "phi3", """{"model_type":"phi3","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":4,"vocab_size":97,"initializer_range":0.1,"sliding_window":4}""" },
        { "falcon", """{"model_type":"falcon","hidden_size":32,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":97,"multi_query":false,"parallel_attn":false,"bias":true,"initializer_range":0.1}""" },
        { "falcon-newarch", """{"model_type":"falcon","hidden_size":32,"num_hidden_layers":2,"num_attention_heads":4,"num_kv_heads":2,"new_decoder_architecture":true,"vocab_size":97,"initializer_range":0.1}""" },
        { "gpt_neox", """{"model_type":"gpt_neox","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":97,"rotary_pct":0.5,"rotary_emb_base":500,"initializer_range":0.1}""" },
        { "gpt_neox-sequential", """{"model_type":"gpt_neox","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":97,"use_parallel_residual":false,"attention_bias":false,"tie_word_embeddings":true,"rope_scaling":{"type":"linear","factor":2.0},"hidden_act":"gelu_new","initializer_range":0.1}""" },
        { "qwen2", """{"model_type":"qwen2","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"vocab_size":97,"tie_word_embeddings":true,"use_sliding_window":false,"sliding_window":2,"initializer_range":0.1}""" },
        { "gemma2", """{"model_type":"gemma2","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"head_dim":16,"query_pre_attn_scalar":24,"sliding_window":3,"attn_logit_softcapping":5.0,"final_logit_softcapping":null,"vocab_size":97,"initializer_range":0.1}""" },
        { "olmo", """{"model_type":"olmo","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":97,"clip_qkv":0.3,"attention_bias":true,"max_position_embeddings":64,"rope_scaling":{"type":"dynamic","factor":2.0},"initializer_range":0.1}""" },
    };

    static readonly long[][] Ids = [[1, 5, 9, 13, 2, 7, 4], [3, 8, 6, 0, 0, 0, 0]];
    static readonly long[][] Mask = [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0, 0]];

    static ICausalLanguageModel Untrained(TempDir dir, string json, int seed = 42)
    {
        File.WriteAllText(dir.File("config.json"), json);
        return ModelLoader.Load(dir.Path, new LoadOptions { Untrained = true, Seed = seed });
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void SavedModelReloadsWithIdenticalOutputs(string name, string json)
    {
        using var dir = new TempDir();
        using var model = Untrained(dir, json);
        var saved = Path.Combine(dir.Path, "saved");
        ModelLoader.Save(model, saved);
        using var reloaded = ModelLoader.Load(saved, new LoadOptions());
        var a = Run(model, Ids, Mask);
        var b = Run(reloaded, Ids, Mask);
        Assert.Equal(a.Blocks, b.Blocks);
        Assert.Equal(a.Logits, b.Logits);
        Assert.All(a.Blocks, v => Assert.True(float.IsFinite(v), name));
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void PaddedRowsEqualTheSequenceAlone(string name, string json)
    {
        using var dir = new TempDir();
        using var model = Untrained(dir, json);
        var padded = Run(model, Ids, Mask);
        var alone = Run(model, [Ids[1][..3]], null);
        int layers = model.NumLayers, hidden = model.HiddenSize, seq = Ids[0].Length;
        for (int l = 0; l < layers; l++)
            for (int t = 0; t < 3; t++)
                for (int h = 0; h < hidden; h++)
                    Assert.True(Math.Abs(padded.Blocks[((l * 2 + 1) * seq + t) * hidden + h] - alone.Blocks[(l * 3 + t) * hidden + h]) < 1e-4, name);
    }

    [Fact]
    public void UntrainedInitFollowsTransformersRulesAndIsSeeded()
    {
        using var dir = new TempDir();
        using var a = Untrained(dir, Llama, seed: 1);
        using var b = Untrained(dir, Llama, seed: 1);
        using var c = Untrained(dir, Llama, seed: 2);
        var pa = ((nn.Module)a).named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var pb = ((nn.Module)b).named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var pc = ((nn.Module)c).named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in pa) Assert.True(p.eq(pb[name]).all().item<bool>(), name);
        Assert.False(pa["model.layers.0.mlp.up_proj.weight"].eq(pc["model.layers.0.mlp.up_proj.weight"]).all().item<bool>());
        using var weights = torch.cat(pa.Where(kv => kv.Key.EndsWith("proj.weight")).Select(kv => kv.Value.flatten()).ToArray());
        Assert.InRange(weights.std().item<float>(), 0.095, 0.105);
        Assert.True(pa["model.layers.0.input_layernorm.weight"].eq(1).all().item<bool>());
        Assert.True(pa["model.layers.1.self_attn.q_proj.bias"].eq(0).all().item<bool>());
        Assert.True(pa["model.embed_tokens.weight"][0].eq(0).all().item<bool>()); // padding_idx row
    }

    /// <summary>
    /// transformers' _init_weights of the later families: Linear/Embedding weights ~ N(0, initializer_range), biases 0,
    /// nn.LayerNorm 1/0 (GPT-NeoX), Qwen2's RMSNorm 1, Gemma 2's (1 + w) RMSNorm 0, OLMo's norms have no parameters;
    /// the embedding row of pad_token_id is zeroed except in GPT-NeoX (embed_in has no padding_idx). The configs name
    /// no pad_token_id, so the config classes' defaults apply: Qwen2 none, Gemma 2 0, OLMo 1.
    /// </summary>
    [Theory]
    [InlineData("gpt_neox", @"layernorm\.weight$|final_layer_norm\.weight$", @"\.bias$", -1)]
    [InlineData("gpt_neox-sequential", @"layernorm\.weight$|final_layer_norm\.weight$", @"\.bias$", -1)]
    [InlineData("qwen2", @"norm\.weight$", @"\.bias$", -1)]
    [InlineData("gemma2", "^$", @"norm\.weight$", 0)]
    [InlineData("olmo", "^$", @"\.bias$", 1)]
    public void UntrainedInitFollowsEachFamilysInitWeights(string name, string ones, string zeros, int paddingRow)
    {
        using var dir = new TempDir();
        using var model = Untrained(dir, (string)Configs.First(r => (string)r[0] == name)[1]);
        var parameters = ((nn.Module)model).named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var normal = new List<Tensor>();
        foreach (var (n, p) in parameters)
        {
            if (System.Text.RegularExpressions.Regex.IsMatch(n, ones)) Assert.True(p.eq(1).all().item<bool>(), n);
            else if (System.Text.RegularExpressions.Regex.IsMatch(n, zeros)) Assert.True(p.eq(0).all().item<bool>(), n);
            else normal.Add(p.flatten());
        }
        using var all = torch.cat(normal.ToArray());
        Assert.InRange(all.std().item<float>(), 0.095, 0.105);
        Assert.InRange(all.mean().item<float>(), -0.005, 0.005);
        var embedding = parameters.Single(p => System.Text.RegularExpressions.Regex.IsMatch(p.Key, @"embed_(in|tokens)\.weight$")).Value;
        if (paddingRow >= 0) Assert.True(embedding[paddingRow].eq(0).all().item<bool>(), "padding row");
        Assert.Equal(paddingRow >= 0 ? 1 : 0, Enumerable.Range(0, 3).Count(r => embedding[r].eq(0).all().item<bool>()));
    }

    [Fact]
    public void UntrainedGpt2ScalesResidualProjections()
    {
        using var model = ModelLoader.LoadUntrainedGpt2("gpt2");
        Assert.Equal(12, model.NumLayers);
        Assert.Equal(768, model.HiddenSize);
        var p = ((nn.Module)model).named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.InRange(p["transformer.h.0.attn.c_attn.weight"].std().item<float>(), 0.0195, 0.0205);
        Assert.InRange(p["transformer.h.3.mlp.c_proj.weight"].std().item<float>(), 0.02 / Math.Sqrt(24) * 0.97, 0.02 / Math.Sqrt(24) * 1.03);
        Assert.False(p.ContainsKey("lm_head.weight")); // tied
    }

    [Fact]
    public void CheckpointMismatchesNameTheKeyAndShapes()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), Llama);
        using var scope = torch.NewDisposeScope();
        using var model = ModelLoader.Load(dir.Path, new LoadOptions { Untrained = true });
        var named = ((nn.Module)model).named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();

        SafeTensorsWriter.Write(dir.File("model.safetensors"), named.Where(p => p.name != "model.norm.weight"));
        var missing = Assert.Throws<LlmLocException>(() => ModelLoader.Load(dir.Path, new LoadOptions()));
        Assert.Contains("missing tensor 'model.norm.weight'", missing.Message);

        SafeTensorsWriter.Write(dir.File("model.safetensors"), named.Append(("model.extra.weight", torch.ones(2))));
        Assert.Contains("unexpected tensor 'model.extra.weight'", Assert.Throws<LlmLocException>(() => ModelLoader.Load(dir.Path, new LoadOptions())).Message);

        SafeTensorsWriter.Write(dir.File("model.safetensors"), named.Select(p => p.name == "model.norm.weight" ? (p.name, torch.ones(31)) : p));
        var shape = Assert.Throws<LlmLocException>(() => ModelLoader.Load(dir.Path, new LoadOptions())).Message;
        Assert.Contains("'model.norm.weight'", shape);
        Assert.Contains("[31]", shape);
        Assert.Contains("[32]", shape);
    }

    [Fact]
    public void UnsupportedModelsAreRefusedClearly()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), """{"model_type":"bert","num_hidden_layers":2,"hidden_size":8,"vocab_size":10}""");
        Assert.Contains("not supported", Assert.Throws<LlmLocException>(() => ModelLoader.Load(dir.Path, new LoadOptions { Untrained = true })).Message);
        var alibi = JsonNode.Parse(Configs.First(r => (string)r[0] == "falcon")[1].ToString()!)!.AsObject();
        alibi["alibi"] = true;
        File.WriteAllText(dir.File("config.json"), alibi.ToJsonString());
        Assert.Contains("alibi", Assert.Throws<LlmLocException>(() => ModelLoader.Load(dir.Path, new LoadOptions { Untrained = true })).Message);
        Assert.Contains("config.json", Assert.Throws<LlmLocException>(() => ModelLoader.Load(Path.Combine(dir.Path, "nope"), new LoadOptions())).Message);
    }

    /// <summary>Settings transformers 4.44 would ignore or cannot run are refused with a one-line error naming the key.</summary>
    [Theory]
    [InlineData("qwen2", """{"use_sliding_window":true}""", "use_sliding_window")]
    [InlineData("qwen2", """{"rope_scaling":{"type":"yarn","factor":4.0}}""", "rope_scaling")]
    [InlineData("gemma2", """{"rope_scaling":{"type":"linear","factor":2.0}}""", "rope_scaling")]
    [InlineData("gemma2", """{"sliding_window":null}""", "sliding_window")]
    [InlineData("gpt_neox", """{"rope_scaling":{"type":"llama3","factor":2.0}}""", "rope_scaling")]
    [InlineData("olmo", """{"rope_scaling":{"rope_type":"llama3","factor":2.0}}""", "rope_scaling")]
    [InlineData("gpt_neox", """{"hidden_size":30}""", "num_attention_heads")]
    public void UnsupportedSettingsOfLaterFamiliesAreRefused(string name, string patch, string key)
    {
        using var dir = new TempDir();
        var config = JsonNode.Parse((string)Configs.First(r => (string)r[0] == name)[1])!.AsObject();
        foreach (var (k, v) in JsonNode.Parse(patch)!.AsObject()) config[k] = v?.DeepClone();
        File.WriteAllText(dir.File("config.json"), config.ToJsonString());
        var message = Assert.Throws<LlmLocException>(() => ModelLoader.Load(dir.Path, new LoadOptions { Untrained = true })).Message;
        Assert.Contains(key, message);
        Assert.DoesNotContain("\n", message);
    }
}
