using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// Token sequences right-padded into one [rows × width] batch, as transformers' <c>tokenizer(texts, padding=True)</c>:
/// the pad id after each row's tokens, attention mask 1 on real tokens and 0 on padding. The width is the longest row
/// (at least 1, so a batch of empty rows still runs through a model).
/// </summary>
public sealed class PaddedBatch
{
    public int Rows { get; }
    public int Width { get; }
    /// <summary>Row-major [rows × width] token ids.</summary>
    public long[] Ids { get; }
    /// <summary>Row-major [rows × width] attention mask.</summary>
    public long[] Mask { get; }
    /// <summary>Real tokens per row.</summary>
    public long[] Lengths { get; }

    public PaddedBatch(IReadOnlyList<IReadOnlyList<int>> sequences, long padId)
    {
        Rows = sequences.Count;
        Width = Math.Max(1, sequences.Count == 0 ? 0 : sequences.Max(s => s.Count));
        Ids = new long[Rows * Width];
        Mask = new long[Rows * Width];
        Lengths = new long[Rows];
        for (int row = 0; row < Rows; row++)
        {
            var tokens = sequences[row];
            Lengths[row] = tokens.Count;
            for (int t = 0; t < Width; t++)
            {
                bool real = t < tokens.Count;
                Ids[row * Width + t] = real ? tokens[t] : padId;
                Mask[row * Width + t] = real ? 1 : 0;
            }
        }
    }

    public Tensor IdsTensor(Device device) => tensor(Ids, [Rows, Width], device: device);

    public Tensor MaskTensor(Device device) => tensor(Mask, [Rows, Width], device: device);
}
