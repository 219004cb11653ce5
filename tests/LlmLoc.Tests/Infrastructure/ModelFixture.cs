using System.Text.Json;
using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Infrastructure;

/// <summary>Reads a fixture model folder's inputs.json and runs forwards that record block outputs.</summary>
internal static class ModelFixture
{
    /// <summary>The fixture checkpoints of the original's six families (models/) and of the later ones (models-more/).</summary>
    public static string Folder(string name) =>
        Directory.Exists(Shared.Fixture("models", name)) ? Shared.Fixture("models", name) : Shared.Fixture("models-more", name);

    /// <summary>The folders of models-more/ (GPT-NeoX, Qwen2, Gemma 2, OLMo and their variants).</summary>
    public static readonly string[] MoreFamilies = ["pythia", "pythia-sequential", "qwen2", "gemma2", "gemma2-scalar", "olmo", "olmo-clip"];

    public sealed record Inputs(long[][] Ids, long[][] Mask, int[] Lengths);

    public static Inputs ReadInputs(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "inputs.json")));
        var root = doc.RootElement;
        long[][] Rows(string key) => root.GetProperty(key).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        return new Inputs(Rows("input_ids"), Rows("attention_mask"), root.GetProperty("lengths").EnumerateArray().Select(v => v.GetInt32()).ToArray());
    }

    public static Tensor ToTensor(long[][] rows) => torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], ScalarType.Int64);

    /// <summary>Runs one forward; returns the units of <paramref name="site"/> [layers, batch, seq, units per layer] (block
    /// outputs by default) and the logits (float arrays).</summary>
    public static (float[] Blocks, float[]? Logits, long[] LogitShape) Run(ICausalLanguageModel model, long[][] ids, long[][]? mask, bool logits = true,
        UnitSite site = UnitSite.Residual)
    {
        using var scope = torch.NewDisposeScope();
        var recorded = new Tensor[model.NumLayers];
        using (model.AddUnitHook(site, (layer, h) => { recorded[layer] = h.detach().clone().DetachFromDisposeScope(); return null; }))
        {
            var output = model.Forward(ToTensor(ids), mask is null ? null : ToTensor(mask), computeLogits: logits);
            foreach (var r in recorded) r.MoveToOtherDisposeScope(scope);
            var blocks = torch.stack(recorded).to(ScalarType.Float32).cpu().contiguous();
            if (output is null) return (blocks.data<float>().ToArray(), null, []);
            var l = output.cpu().contiguous();
            return (blocks.data<float>().ToArray(), l.data<float>().ToArray(), l.shape);
        }
    }

    /// <summary>Asserts abs(a - b) ≤ 1e-4 + 1e-4·abs(b) for every index where <paramref name="include"/> holds.</summary>
    public static void AssertClose(float[] expected, float[] actual, string what, Func<long, bool>? include = null, double atol = 1e-4, double rtol = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0; long worstAt = -1, compared = 0;
        for (long i = 0; i < expected.Length; i++)
        {
            if (include != null && !include(i)) continue;
            compared++;
            double excess = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (!(excess <= 0) && (worstAt < 0 || excess > worst)) { worst = excess; worstAt = i; }
        }
        Assert.True(compared > 0, $"{what}: nothing compared");
        Assert.True(worstAt < 0, worstAt < 0 ? "" : $"{what}: index {worstAt} expected {expected[worstAt]} got {actual[worstAt]}");
    }
}
