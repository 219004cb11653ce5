using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>Autoregressive decoding with the KV cache (batch 1, as transformers' generate on one prompt).</summary>
public static class Generation
{
    /// <summary>Greedy decoding: <c>generate(do_sample=False, max_length)</c>; the result includes the prompt.</summary>
    public static long[] GreedyGenerate(ICausalLanguageModel model, long[] promptIds, int maxLength, int? eosTokenId) =>
        Generate(model, promptIds, maxLength, eosTokenId, Argmax);

    /// <summary>
    /// Decodes until <paramref name="maxLength"/> ids (prompt included) or <paramref name="eosTokenId"/>;
    /// <paramref name="chooseNext"/> maps the last position's logits [vocab] (float32) to the next id — the seam for sampling.
    /// </summary>
    public static long[] Generate(ICausalLanguageModel model, long[] promptIds, int maxLength, int? eosTokenId, Func<Tensor, long> chooseNext)
    {
        if (promptIds.Length == 0) throw new ArgumentException("the prompt must hold at least one token");
        var ids = new List<long>(promptIds);
        using var cache = model.NewCache();
        long[] next = promptIds;
        while (ids.Count < maxLength)
        {
            using var scope = torch.NewDisposeScope();
            using var input = torch.tensor(next, dtype: ScalarType.Int64).view(1, -1);
            var logits = model.Forward(input, null, cache)!;
            long chosen = chooseNext(logits[0, -1]);
            ids.Add(chosen);
            if (eosTokenId == chosen) break;
            next = [chosen];
        }
        return ids.ToArray();
    }

    static long Argmax(Tensor logits) => logits.argmax().item<long>();
}
