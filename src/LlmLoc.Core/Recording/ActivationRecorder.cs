using LlmLoc.Masks;
using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Recording;

/// <summary>
/// Runs a model over tokenised stimuli and keeps every block's units at one site (the block output, or the MLP site)
/// pooled per stimulus: [stimuli × layers × units per layer] in float64, stimuli in input order. The original runs one stimulus at a time;
/// here stimuli are sorted by length and right-padded into batches, and pooling reads only real tokens, so the
/// result equals batch size 1 (up to float32 summation order).
/// The model runs layer-major (<see cref="ICausalLanguageModel.ForwardLayerMajor"/>): all
/// batches through block 0, then block 1, …, so each streamed block is read once per call; the batches and thus
/// every block output are bit-identical to running the batches one after the other.
/// </summary>
public static class ActivationRecorder
{
    /// <param name="onBatchDone">Progress in stimuli; the counts add up to the number of stimuli.</param>
    public static double[] Record(
        ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> stimuli, Pooling pooling, int batchSize,
        long padTokenId, Action<int>? onBatchDone = null, UnitSite site = UnitSite.Residual)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int layers = model.NumLayers, hidden = model.UnitsPerLayer(site);
        var result = new double[(long)stimuli.Count * layers * hidden];
        if (stimuli.Count == 0) return result;
        for (int i = 0; i < stimuli.Count; i++)
            if (stimuli[i].Count == 0)
                throw new LlmLocException($"stimulus {i} tokenised to zero tokens: remove empty stimuli");

        // Longest first, stable: similar lengths share a batch, so little compute is spent on padding.
        int[] order = Enumerable.Range(0, stimuli.Count).OrderByDescending(i => stimuli[i].Count).ToArray();

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var batches = order.Chunk(batchSize).Select(rows => MakeBatch(stimuli, rows, padTokenId, model.Device)).ToList();

        // Pools one block's output of one batch into the result rows of that batch's stimuli.
        void Pool(Batch batch, int layer, Tensor output)
        {
            using var poolScope = NewDisposeScope();
            Tensor pooled = pooling == Pooling.LastToken
                ? output.gather(1, (batch.Lengths - 1).view(-1, 1, 1).expand(-1, 1, hidden)).squeeze(1)
                : (output * batch.RealTokens.unsqueeze(-1)).sum(1) / batch.Lengths.unsqueeze(-1).to(output.dtype);
            float[] values = pooled.to(float32).cpu().contiguous().data<float>().ToArray();
            for (int b = 0; b < batch.Rows.Length; b++)
            {
                long offset = ((long)batch.Rows[b] * layers + layer) * hidden;
                for (int u = 0; u < hidden; u++) result[offset + u] = values[b * hidden + u];
            }
        }

        // Progress: each finished block counts for its share of the stimuli.
        int reported = 0;
        model.ForwardLayerMajor(batches.Select(b => (b.Ids, (Tensor?)b.Mask)).ToList(),
            onUnits: (layer, b, output) => Pool(batches[b], layer, output),
            onLayerDone: layer =>
            {
                int done = (int)((long)stimuli.Count * (layer + 1) / layers);
                onBatchDone?.Invoke(done - reported);
                reported = done;
            },
            site: site);
        return result;
    }

    /// <summary>Right-padded ids, the attention mask, real-token lengths and the stimulus index of each row.</summary>
    sealed record Batch(int[] Rows, Tensor Ids, Tensor Mask, Tensor Lengths, Tensor RealTokens);

    static Batch MakeBatch(IReadOnlyList<IReadOnlyList<int>> stimuli, int[] rows, long padTokenId, Device device)
    {
        var padded = new PaddedBatch(rows.Select(row => stimuli[row]).ToList(), padTokenId);
        var mask = padded.MaskTensor(device);
        return new Batch(rows, padded.IdsTensor(device), mask, tensor(padded.Lengths, device: device), mask.to(float32));
    }
}
