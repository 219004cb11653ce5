using System.Text.Json;
using LlmLoc.Models;
using LlmLoc.Numerics;
using TorchSharp;
using static LlmLoc.Tests.Infrastructure.ModelFixture;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Models;

/// <summary>Greedy generation with the KV cache, plain and lesioned, against transformers' generate().</summary>
public class GenerationTests
{
    sealed record Expected(long[] Prompt, int MaxLength, long[] Greedy, long[] LesionGreedy, int Eos);

    static Expected Read(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "generate.json")));
        var r = doc.RootElement;
        long[] Ids(string key) => r.GetProperty(key).EnumerateArray().Select(v => v.GetInt64()).ToArray();
        return new Expected(Ids("prompt_ids"), r.GetProperty("max_length").GetInt32(), Ids("greedy_ids"), Ids("lesion_greedy_ids"), r.GetProperty("eos_token_id").GetInt32());
    }

    /// <summary>The original's lesion: every block output multiplied by (1 - mask[layer]).</summary>
    static IDisposable AddLesion(ICausalLanguageModel model, string name)
    {
        var mask = Npy.Read(Path.Combine(Folder(name), "lesion_mask.npy"));
        var keep = torch.tensor(mask.ToInt64s(), [mask.Shape[0], mask.Shape[1]]).neg().add(1).to(ScalarType.Float32);
        var hook = model.AddBlockOutputHook((layer, h) => h * keep[layer]);
        return new Both(hook, keep);
    }

    // The CLI's generator (transformers' generate) is what these fixtures check.
    static long[] Greedy(ICausalLanguageModel model, Expected expected) =>
        LlmLoc.Generation.TextGenerator.Generate(model, expected.Prompt, new LlmLoc.Generation.GenerationSettings
        {
            MaxLength = expected.MaxLength,
            EosTokenIds = [expected.Eos],
        }).Single();

    sealed class Both(IDisposable a, IDisposable b) : IDisposable { public void Dispose() { a.Dispose(); b.Dispose(); } }

    [Theory]
    [InlineData("gpt2", false)]
    [InlineData("llama", false)]
    [InlineData("gpt2", true)]
    [InlineData("llama", true)]
    public void GreedyIdsMatchTokenForToken(string name, bool sdpa)
    {
        LlmLoc.Models.Common.AttentionCore.EagerMaxKeysOverride.Value = sdpa ? 0 : long.MaxValue;
        var expected = Read(name);
        using var model = ModelLoader.Load(Folder(name), new LoadOptions());
        Assert.Equal(expected.Greedy, Greedy(model, expected));
    }

    /// <summary>Every family on the math path, and on SDPA unless its attention is soft-capped (Gemma 2): soft-capped
    /// scores always take the math path (<see cref="SoftCappedAttentionTakesTheMathPathEvenWhenSdpaIsForced"/>), so an
    /// SDPA case would repeat the math one.</summary>
    public static TheoryData<string, bool> MoreFamiliesAndPaths()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in MoreFamilies)
        {
            data.Add(name, false);
            if (ModelConfig.Load(Folder(name)).Raw["attn_logit_softcapping"] is null) data.Add(name, true);
        }
        return data;
    }

    /// <summary>
    /// With SDPA forced, soft-capped attention still equals softmax(c·tanh(q·kᵀ/(√d·c)) + causal mask)·v written out
    /// here, and differs from the uncapped result (scores of ±30 against a cap of 2): SDPA, which has no hook for the
    /// cap, is not used.
    /// </summary>
    [Fact]
    public void SoftCappedAttentionTakesTheMathPathEvenWhenSdpaIsForced()
    {
        LlmLoc.Models.Common.AttentionCore.EagerMaxKeysOverride.Value = 0;
        using var scope = NewDisposeScope();
        torch.manual_seed(11);
        const int s = 5, d = 4;
        var q = torch.randn(1, 2, s, d) * 3;
        var k = torch.randn(1, 2, s, d) * 3;
        var v = torch.randn(1, 2, s, d);
        var ctx = new LlmLoc.Models.Common.ForwardContext { PastLength = 0, PositionIds = torch.arange(s).view(1, -1), IsCausal = true };
        const double cap = 2.0;
        var capped = LlmLoc.Models.Common.AttentionCore.Run(q, k, v, ctx, 0, rotary: false, logitSoftCap: cap);
        var uncapped = LlmLoc.Models.Common.AttentionCore.Run(q, k, v, ctx, 0, rotary: false);

        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(d);
        scores = (scores / cap).tanh() * cap;
        scores = scores.masked_fill(torch.ones(s, s, ScalarType.Bool).triu(1), float.NegativeInfinity);
        var expected = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(1, s, -1);
        Assert.True(capped.allclose(expected, rtol: 1e-5, atol: 1e-6), "soft-capped attention with SDPA forced is not the capped math");
        Assert.True((uncapped - expected).abs().max().item<float>() > 1e-2, "the cap does not change these scores: the test would not tell the paths apart");
    }

    /// <summary>
    /// models-more/ stores greedy decoding by full forwards (no cache); the generator decodes through the KV cache, so
    /// this also checks the cache with partial rotary, q/k/v clipping and Gemma 2's per-layer window (21 tokens > 4).
    /// </summary>
    [Theory]
    [MemberData(nameof(MoreFamiliesAndPaths))]
    public void LaterFamiliesDecodeTheFixturesGreedyContinuation(string name, bool sdpa)
    {
        LlmLoc.Models.Common.AttentionCore.EagerMaxKeysOverride.Value = sdpa ? 0 : long.MaxValue;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "generate.json")));
        long[] Ids(string key) => doc.RootElement.GetProperty(key).EnumerateArray().Select(v => v.GetInt64()).ToArray();
        long[] prompt = Ids("prompt_ids"), greedy = Ids("greedy_ids");
        using var model = ModelLoader.Load(Folder(name), new LoadOptions());
        var settings = LlmLoc.Generation.GenerationSettings.FromModelFolder(Folder(name), model.Config.Raw, maxLength: prompt.Length + doc.RootElement.GetProperty("max_new_tokens").GetInt32());
        Assert.Equal(greedy, LlmLoc.Generation.TextGenerator.Generate(model, prompt, settings).Single());
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    public void LesionedGreedyIdsAndLogitsMatch(string name)
    {
        var expected = Read(name);
        using var model = ModelLoader.Load(Folder(name), new LoadOptions());
        using (AddLesion(model, name))
        {
            Assert.Equal(expected.LesionGreedy, Greedy(model, expected));
            var (_, logits, shape) = Run(model, [expected.Prompt], null);
            var reference = Npy.Read(Path.Combine(Folder(name), "lesion_logits.npy")).ToFloats();
            // gpt2 stored only the last position.
            AssertClose(reference, reference.Length == logits!.Length ? logits : logits[^(int)shape[2]..], $"{name} lesion_logits");
        }
        // Removing the hook restores the plain model.
        var (_, plain, plainShape) = Run(model, [expected.Prompt], null);
        var generateLogits = Npy.Read(Path.Combine(Folder(name), "generate_logits.npy")).ToFloats();
        AssertClose(generateLogits, generateLogits.Length == plain!.Length ? plain : plain[^(int)plainShape[2]..], $"{name} generate_logits");
    }

    [Fact]
    public void CachedDecodingEqualsFullForwardForPaddedBatches()
    {
        // Right-padded batch, then one more token per row through the cache: the new positions' block outputs
        // must equal a full forward over the concatenation (for rows without padding).
        var inputs = ReadInputs("mistral");
        using var model = ModelLoader.Load(Folder("mistral"), new LoadOptions());
        using var cache = model.NewCache();
        using var scope = torch.NewDisposeScope();
        model.Forward(ToTensor(inputs.Ids), ToTensor(inputs.Mask), cache, computeLogits: false);
        var next = torch.tensor(new long[] { 7, 8, 9 }).view(3, 1);
        var cachedLogits = model.Forward(next, torch.ones(3, 1, dtype: ScalarType.Int64), cache)!;
        var fullIds = torch.cat([ToTensor(inputs.Ids), next], 1);
        var fullLogits = model.Forward(fullIds)!;
        // Row 0 has no padding: its last position must agree.
        AssertClose(fullLogits[0, -1].data<float>().ToArray(), cachedLogits[0, 0].data<float>().ToArray(), "cached vs full");
        // Padded rows: the cache keeps their padding masked, positions continue from the cache length — the same
        // as one forward over [ids | token] with mask [mask | 1].
        var fullMasked = model.Forward(fullIds, torch.cat([ToTensor(inputs.Mask), torch.ones(3, 1, dtype: ScalarType.Int64)], 1))!;
        for (int row = 0; row < 3; row++)
            AssertClose(fullMasked[row, -1].data<float>().ToArray(), cachedLogits[row, 0].data<float>().ToArray(), $"cached padded row {row}");
        Assert.Equal(inputs.Ids[0].Length + 1, cache.Length);
    }
}
