using System.Text.Json;
using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// --dtype bfloat16 against float32 on every fixture family: the largest block-output difference over real tokens
/// of the fixture's padded batch (inputs.json), and the largest |float32 output| for scale.
/// </summary>
static class DTypeDeviation
{
    public static void Run(string sharedRoot)
    {
        foreach (var family in new[] { "gpt2", "llama", "llama-bf16", "mistral", "gemma", "phi3", "falcon", "falcon-newarch" })
        {
            string folder = Path.Combine(sharedRoot, "fixtures", "models", family);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "inputs.json")));
            long[][] Rows(string key) => doc.RootElement.GetProperty(key).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
            var ids = Rows("input_ids");
            var mask = Rows("attention_mask");
            using var scope = NewDisposeScope();
            var idsT = tensor(ids.SelectMany(r => r).ToArray(), [ids.Length, ids[0].Length]);
            var maskT = tensor(mask.SelectMany(r => r).ToArray(), [ids.Length, ids[0].Length]);
            Tensor Blocks(ScalarType dtype)
            {
                using var model = ModelLoader.Load(folder, new LoadOptions { DType = dtype });
                var outputs = new Tensor[model.NumLayers];
                using (model.AddBlockOutputHook((layer, h) => { outputs[layer] = h.to(float32).DetachFromDisposeScope(); return null; }))
                    model.Forward(idsT, maskT, computeLogits: false);
                return stack(outputs);
            }
            var fp32 = Blocks(ScalarType.Float32);
            var bf16 = Blocks(ScalarType.BFloat16);
            var real = maskT.to(@bool).unsqueeze(0).unsqueeze(-1);
            double diff = (bf16 - fp32).abs().masked_fill(real.logical_not(), 0).max().item<float>();
            double scale = fp32.abs().masked_fill(real.logical_not(), 0).max().item<float>();
            Console.WriteLine($"{family,-15} max |bf16 - fp32| block output {diff:0.000e+0} (max |h| {scale:F2})");
        }
    }
}
