using LlmLoc.Models;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Evaluation;

/// <summary>The tiny GPT-2 fixture (real GPT-2 tokenizer, 3 layers × 48 units), loaded once per test class.</summary>
public sealed class TinyGpt2 : IDisposable
{
    public static string Folder => Shared.Fixture("models", "gpt2");
    public ICausalLanguageModel Model { get; } = ModelLoader.Load(Folder, new LoadOptions());
    public HfTokenizer Tokenizer { get; } = HfTokenizer.FromFolder(Folder);

    /// <summary>Direct reference: the sequence alone (no padding, no mask), full forward, float64 log_softmax, gather.</summary>
    public double[] DirectLogProbs(int[] ids, int firstScored)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], ScalarType.Int64);
        var logProbs = Model.Forward(input)![0].to(ScalarType.Float64).log_softmax(-1);
        return Enumerable.Range(firstScored, ids.Length - firstScored)
            .Select(t => logProbs[t - 1, ids[t]].item<double>()).ToArray();
    }

    /// <summary>A temp folder holding a symlink "tiny-gpt2" to the fixture and a cache/ with a language mask
    /// (the fixture's 5-unit lesion mask) under localize's file name for --percentage 5.</summary>
    public static (TempDir Dir, string Model, string Cache, string MaskPath) WithLanguageMask()
    {
        var dir = new TempDir();
        string model = dir.File("tiny-gpt2");
        Directory.CreateSymbolicLink(model, Folder);
        string cache = dir.File("cache");
        Directory.CreateDirectory(cache);
        string mask = Path.Combine(cache, "tiny-gpt2_network=language_pooling=last-token_range=100-100_perc=5.0_nunits=None_pretrained=True.npy");
        File.Copy(Path.Combine(Folder, "lesion_mask.npy"), mask);
        return (dir, model, cache, mask);
    }

    public void Dispose() => Model.Dispose();
}
