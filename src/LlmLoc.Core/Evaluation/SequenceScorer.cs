using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Evaluation;

/// <summary>
/// Per-token log-probabilities log p(id_t | id_&lt;t) of many sequences, batched: right padding with the pad id,
/// attention mask 1 on real tokens, padded positions never read. Log-softmax is taken in float64 over the vocab.
/// </summary>
public static class SequenceScorer
{
    /// <summary>Returns, per input (in input order), the log-probabilities of its scored tokens.</summary>
    public static double[][] TokenLogProbs(ICausalLanguageModel model, IReadOnlyList<ScoringInput> inputs, int padId,
        int batchSize, Action<int>? onBatchDone = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var results = new double[inputs.Count][];
        // Longest first, so rows of a batch have similar lengths (less padding); results go back by index.
        int[] order = Enumerable.Range(0, inputs.Count).OrderByDescending(i => inputs[i].Ids.Length).ToArray();
        int done = 0;
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int[] batch = order[start..Math.Min(order.Length, start + batchSize)];
            ScoreBatch(model, inputs, batch, padId, results);
            done += batch.Length;
            onBatchDone?.Invoke(done);
        }
        return results;
    }

    static void ScoreBatch(ICausalLanguageModel model, IReadOnlyList<ScoringInput> inputs, int[] batch, int padId, double[][] results)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int width = Math.Max(1, batch.Max(i => inputs[i].Ids.Length));
        var ids = new long[batch.Length * width];
        var mask = new long[batch.Length * width];
        for (int row = 0; row < batch.Length; row++)
        {
            int[] seq = inputs[batch[row]].Ids;
            for (int t = 0; t < width; t++)
            {
                bool real = t < seq.Length;
                ids[row * width + t] = real ? seq[t] : padId;
                mask[row * width + t] = real ? 1 : 0;
            }
        }
        var idTensor = tensor(ids, [batch.Length, width], ScalarType.Int64, model.Device);
        var maskTensor = tensor(mask, [batch.Length, width], ScalarType.Int64, model.Device);
        var logits = model.Forward(idTensor, maskTensor) ?? throw new InvalidOperationException("the model returned no logits");

        for (int row = 0; row < batch.Length; row++)
        {
            var input = inputs[batch[row]];
            int first = Math.Max(1, input.FirstScored);
            int count = input.Ids.Length - first;
            if (count <= 0) { results[batch[row]] = []; continue; }
            // Logits at t-1 predict the token at t.
            var predicting = logits[row].narrow(0, first - 1, count).to(ScalarType.Float64);
            var logProbs = predicting.log_softmax(-1);
            var targets = idTensor[row].narrow(0, first, count).unsqueeze(-1);
            var picked = logProbs.gather(-1, targets).squeeze(-1).cpu();
            results[batch[row]] = picked.data<double>().ToArray();
        }
    }
}
