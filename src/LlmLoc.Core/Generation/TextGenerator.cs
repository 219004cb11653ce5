using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Generation;

/// <summary>
/// Decoder-only text generation with the semantics of transformers 4.44's <c>generate</c> → <c>_sample</c>
/// (greedy or multinomial sampling, no beams): prefill the prompt once, then feed one token per step through the
/// key/value cache; a sequence is finished after it emits an EOS id and is filled with the pad id from then on;
/// generation stops when every sequence is finished or the length (prompt included) reaches MaxLength.
/// </summary>
public static class TextGenerator
{
    /// <summary>
    /// Generates <see cref="GenerationSettings.NumReturnSequences"/> continuations of <paramref name="promptIds"/>
    /// and returns them with the prompt in front. All rows have the same length: MaxLength, or less when every
    /// row finished early. Like transformers, at least one token is generated even when the prompt already has
    /// MaxLength tokens. The model's KvCache must own its tensors (detached from the caller's dispose scope): each
    /// step here runs in its own dispose scope.
    /// </summary>
    public static long[][] Generate(ICausalLanguageModel model, long[] promptIds, GenerationSettings settings)
    {
        settings.Validate();
        if (promptIds.Length == 0)
            throw new LlmLocException("the prompt has no tokens; give a non-empty prompt", ExitCodes.Usage);

        int batch = settings.NumReturnSequences;
        long[] eos = [.. settings.EosTokenIds];
        long pad = settings.EffectivePadTokenId ?? 0; // only used when there is an EOS, and then it is never null
        var warpers = settings.Warpers();
        var rows = Enumerable.Range(0, batch).Select(_ => new List<long>(promptIds)).ToArray();
        var unfinished = Enumerable.Repeat(true, batch).ToArray();

        using var noGrad = torch.no_grad();
        using var generator = settings.DoSample ? new Generator(unchecked((ulong)settings.Seed), model.Device) : null;
        using var cache = model.NewCache();
        var mask = PromptAttentionMask(promptIds, settings);
        long[] Step(long[] ids, long[]? attention) => NextTokens(model, cache, ids, attention, batch, warpers, generator, settings.DoSample);

        // Prefill: the prompt once per returned sequence (num_return_sequences repeats the prompt row), with its mask,
        // which the model's cache remembers for the later steps.
        long[] tokens = Step(Repeat(promptIds, batch), mask is null ? null : Repeat(mask, batch));
        while (true)
        {
            for (int b = 0; b < batch; b++)
            {
                // transformers: next = next * unfinished + pad * (1 - unfinished), only when EOS stopping is on.
                if (eos.Length > 0 && !unfinished[b]) tokens[b] = pad;
                rows[b].Add(tokens[b]);
                if (eos.Contains(tokens[b])) unfinished[b] = false;
            }
            if (rows[0].Count >= settings.MaxLength || !unfinished.Contains(true)) break;
            // Decode: one new token per row; generated tokens are always real (null mask = all ones).
            tokens = Step(tokens, null);
        }
        return rows.Select(r => r.ToArray()).ToArray();
    }

    /// <summary>
    /// One forward of <paramref name="ids"/> ([rows × n], row-major) through the cache and each row's next token, in
    /// its own dispose scope (the cache owns what it keeps).
    /// </summary>
    static long[] NextTokens(ICausalLanguageModel model, KvCache cache, long[] ids, long[]? attention, int rows,
        IReadOnlyList<LogitsWarper> warpers, Generator? generator, bool sample)
    {
        using var scope = NewDisposeScope();
        var input = torch.tensor(ids, dtype: int64, device: model.Device).reshape(rows, -1);
        var mask = attention is null ? null : torch.tensor(attention, dtype: int64, device: model.Device).reshape(rows, -1);
        var logits = model.Forward(input, mask, cache)
                     ?? throw new InvalidOperationException("the model returned no logits although they were requested");
        return ChooseNext(logits[.., -1, ..].to_type(float32), warpers, generator, sample);
    }

    static long[] Repeat(long[] row, int times) => Enumerable.Repeat(row, times).SelectMany(r => r).ToArray();

    /// <summary>argmax (first index on ties, as torch.argmax) or a multinomial draw from softmax(warped scores).</summary>
    static long[] ChooseNext(Tensor scores, IReadOnlyList<LogitsWarper> warpers, Generator? generator, bool sample)
    {
        var chosen = sample
            ? LogitsWarpers.Apply(warpers, scores).softmax(-1).multinomial(1, generator: generator).squeeze(1)
            : scores.argmax(-1);
        return chosen.cpu().data<long>().ToArray();
    }

    /// <summary>
    /// The attention mask transformers infers when generate gets none: ones, unless the prompt contains the pad id
    /// and pad is not an EOS id — then pad positions are masked. Null stands for "all ones".
    /// </summary>
    static long[]? PromptAttentionMask(long[] promptIds, GenerationSettings settings)
    {
        if (settings.EffectivePadTokenId is not { } pad) return null;
        if (!promptIds.Contains(pad) || settings.EosTokenIds.Contains(pad)) return null;
        return promptIds.Select(id => id == pad ? 0L : 1L).ToArray();
    }
}
