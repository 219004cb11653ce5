using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Recording;

/// <summary>
/// Runs a model over tokenised stimuli and keeps every block's output pooled per stimulus:
/// [stimuli × layers × hidden] in float64, stimuli in input order. The original runs one stimulus at a time;
/// here stimuli are sorted by length and right-padded into batches, and pooling reads only real tokens, so the
/// result equals batch size 1 (up to float32 summation order).
/// </summary>
public static class ActivationRecorder
{
    public static double[] Record(
        ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> stimuli, Pooling pooling, int batchSize,
        long padTokenId, Action<int>? onBatchDone = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int layers = model.NumLayers, hidden = model.HiddenSize;
        var result = new double[(long)stimuli.Count * layers * hidden];
        if (stimuli.Count == 0) return result;
        for (int i = 0; i < stimuli.Count; i++)
            if (stimuli[i].Count == 0)
                throw new LlmLocException($"stimulus {i} tokenised to zero tokens: remove empty stimuli");

        // Longest first, stable: similar lengths share a batch, so little compute is spent on padding.
        int[] order = Enumerable.Range(0, stimuli.Count).OrderByDescending(i => stimuli[i].Count).ToArray();

        int[] batchRows = [];
        Tensor? lengths = null, realTokens = null;
        using var hook = model.AddBlockOutputHook((layer, output) =>
        {
            using var scope = NewDisposeScope();
            Tensor pooled = pooling == Pooling.LastToken
                ? output.gather(1, (lengths! - 1).view(-1, 1, 1).expand(-1, 1, hidden)).squeeze(1)
                : (output * realTokens!.unsqueeze(-1)).sum(1) / lengths!.unsqueeze(-1).to(output.dtype);
            float[] values = pooled.to(float32).cpu().contiguous().data<float>().ToArray();
            for (int b = 0; b < batchRows.Length; b++)
            {
                long offset = ((long)batchRows[b] * layers + layer) * hidden;
                for (int u = 0; u < hidden; u++) result[offset + u] = values[b * hidden + u];
            }
            return null;
        });

        using var _ = no_grad();
        for (int start = 0; start < order.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            batchRows = order.Skip(start).Take(batchSize).ToArray();
            int maxLen = stimuli[batchRows[0]].Count;
            var ids = new long[batchRows.Length * maxLen];
            var mask = new long[batchRows.Length * maxLen];
            var lens = new long[batchRows.Length];
            for (int b = 0; b < batchRows.Length; b++)
            {
                var tokens = stimuli[batchRows[b]];
                lens[b] = tokens.Count;
                for (int t = 0; t < maxLen; t++)
                {
                    bool real = t < tokens.Count;
                    ids[b * maxLen + t] = real ? tokens[t] : padTokenId;
                    mask[b * maxLen + t] = real ? 1 : 0;
                }
            }
            Tensor idsTensor = tensor(ids, [batchRows.Length, maxLen], device: model.Device);
            Tensor maskTensor = tensor(mask, [batchRows.Length, maxLen], device: model.Device);
            lengths = tensor(lens, device: model.Device);
            realTokens = maskTensor.to(float32);
            model.Forward(idsTensor, maskTensor, cache: null, computeLogits: false)?.Dispose();
            onBatchDone?.Invoke(batchRows.Length);
        }
        return result;
    }
}
