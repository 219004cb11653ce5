using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Evaluation;

/// <summary>
/// Per-token log-probabilities log p(id_t | id_&lt;t) of many sequences, batched: right padding with the pad id,
/// attention mask 1 on real tokens, padded positions never read. The LM head runs on a bounded chunk of positions at a
/// time, so neither [tokens × vocab] logits nor a float64 copy of them is ever materialized.
/// </summary>
public static class SequenceScorer
{
    /// <summary>Logits per LM-head call: 2^24 (64 MB of float32), i.e. 128 positions of a 128k vocabulary.</summary>
    const long LogitsPerChunk = 1L << 24;

    /// <summary>Final hidden states held at once by one group of batches (float32 bytes): 256 MB.</summary>
    public const long GroupHiddenBytes = 256L << 20;

    /// <summary>Returns, per input (in input order), the log-probabilities of its scored tokens.</summary>
    /// <param name="positionsPerChunk">Positions per LM-head call; default: as many as fit <see cref="LogitsPerChunk"/>.</param>
    /// <param name="groupHiddenBytes">Bound on a group's hidden states; batches of a group go through the model
    /// layer-major, so a streamed model reads its weights once per group (default <see cref="GroupHiddenBytes"/>).</param>
    public static double[][] TokenLogProbs(ICausalLanguageModel model, IReadOnlyList<ScoringInput> inputs, int padId,
        int batchSize, Action<int>? onBatchDone = null, int? positionsPerChunk = null, long groupHiddenBytes = GroupHiddenBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int chunk = positionsPerChunk ?? (int)Math.Max(1, LogitsPerChunk / Math.Max(1, model.Config.VocabSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var results = new double[inputs.Count][];
        // Longest first, so rows of a batch have similar lengths (less padding); results go back by index.
        int[] order = Enumerable.Range(0, inputs.Count).OrderByDescending(i => inputs[i].Ids.Length).ToArray();
        // Chunk, not index arithmetic: b * batchSize overflows an int for a --batch-size near 2^31.
        var batches = order.Chunk(batchSize).ToList();
        int done = 0;
        foreach (var group in Groups(batches, inputs, (long)model.HiddenSize * sizeof(float), groupHiddenBytes))
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var padded = group.Select(batch => new PaddedBatch(batch.Select(i => inputs[i].Ids).ToList(), padId)).ToList();
            var ids = padded.Select(p => p.IdsTensor(model.Device)).ToList();
            var hidden = model.ForwardHiddenLayerMajor(padded.Select((p, k) => (ids[k], (Tensor?)p.MaskTensor(model.Device))).ToList());
            for (int k = 0; k < group.Count; k++)
            {
                ScoreBatch(model, inputs, group[k], ids[k], hidden[k], chunk, results);
                done += group[k].Length;
                onBatchDone?.Invoke(done);
            }
        }
        return results;
    }

    /// <summary>Consecutive batches whose final hidden states [rows × longest × hidden] fit <paramref name="budget"/>
    /// together (a batch larger than the budget forms a group of its own).</summary>
    static IEnumerable<List<int[]>> Groups(List<int[]> batches, IReadOnlyList<ScoringInput> inputs, long bytesPerPosition, long budget)
    {
        var group = new List<int[]>();
        long bytes = 0;
        foreach (var batch in batches)
        {
            long size = batch.Length * (long)inputs[batch[0]].Ids.Length * bytesPerPosition;
            if (group.Count > 0 && bytes + size > budget) { yield return group; group = []; bytes = 0; }
            group.Add(batch);
            bytes += size;
        }
        if (group.Count > 0) yield return group;
    }

    static void ScoreBatch(ICausalLanguageModel model, IReadOnlyList<ScoringInput> inputs, int[] batch, Tensor idTensor, Tensor hidden, int chunk, double[][] results)
    {
        for (int row = 0; row < batch.Length; row++)
        {
            var input = inputs[batch[row]];
            int first = Math.Max(1, input.FirstScored);
            int count = input.Ids.Length - first;
            if (count <= 0) { results[batch[row]] = []; continue; }
            var logProbs = new double[count];
            for (int offset = 0; offset < count; offset += chunk)
            {
                using var chunkScope = NewDisposeScope();
                int n = Math.Min(chunk, count - offset);
                // The hidden state at t-1 predicts the token at t.
                var logits = model.Logits(hidden[row].narrow(0, first - 1 + offset, n));
                var targets = idTensor[row].narrow(0, first + offset, n);
                LogProbsOf(logits, targets).CopyTo(logProbs, offset);
            }
            results[batch[row]] = logProbs;
        }
    }

    /// <summary>
    /// log_softmax(logits)[target] per row of float32 <paramref name="logits"/> [n, vocab] (overwritten): with m the
    /// row max, log p = (x_target − m) − log1p(Σ_{j ≠ argmax} exp(x_j − m)). The exponentials and their sum stay in
    /// float32; both terms have the same sign and are combined in float64, so there is no cancellation even for
    /// tokens with p ≈ 1 (within ~1e-7 relative of a float64 log_softmax).
    /// </summary>
    internal static double[] LogProbsOf(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var picked = logits.gather(-1, targets.to(ScalarType.Int64).unsqueeze(-1)).squeeze(-1).to(ScalarType.Float64);
        var (max, argmax) = logits.max(-1, keepdim: true);
        var exps = logits.sub_(max).exp_().scatter_(-1, argmax, zeros_like(max));
        var rest = exps.sum(-1).to(ScalarType.Float64);
        var logProbs = picked - max.squeeze(-1).to(ScalarType.Float64) - rest.log1p();
        return logProbs.cpu().data<double>().ToArray();
    }
}
