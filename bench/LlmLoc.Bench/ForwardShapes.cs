using System.Diagnostics;
using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Forward time per token at localize's shapes (12 tokens), with and without a padding mask.</summary>
static class ForwardShapes
{
    public static void Run(string folder)
    {
        // The matmuls a GPT-2-small block does on 64 × 12 tokens, alone: what the hardware gives at these shapes.
        foreach (int rows in new[] { 192, 768 })
        {
            double seconds = 0, flops = 0;
            foreach (var (k, n) in new[] { (768, 2304), (768, 768), (768, 3072), (3072, 768) })
            {
                using var x = torch.randn(rows, k);
                using var w = torch.randn(k, n);
                x.matmul(w).Dispose();
                var timer = Stopwatch.StartNew();
                for (int i = 0; i < 20; i++) x.matmul(w).Dispose();
                seconds += timer.Elapsed.TotalSeconds;
                flops += 2.0 * rows * k * n * 20;
            }
            Console.WriteLine($"block matmuls at {rows} rows: {flops / seconds / 1e9:F1} GFLOP/s (2048² rate {MatmulRate.FlopsPerSecond() / 1e9:F1})");
        }
        using var model = ModelLoader.Load(folder, new LoadOptions());
        foreach (int batch in new[] { 16, 64, 240 })
            foreach (bool padded in new[] { false, true })
            {
                using var ids = torch.randint(0, 50257, [batch, 12], dtype: ScalarType.Int64);
                using var mask = torch.ones([batch, 12], dtype: ScalarType.Int64);
                if (padded) mask[0, 11] = 0;
                model.Forward(ids, padded ? mask : null, computeLogits: false);
                var sw = Stopwatch.StartNew();
                int reps = Math.Max(1, 480 / batch);
                for (int i = 0; i < reps; i++) model.Forward(ids, padded ? mask : null, computeLogits: false);
                double perToken = sw.Elapsed.TotalSeconds / (reps * batch * 12);
                Console.WriteLine($"batch {batch,3} x 12 {(padded ? "padded" : "no mask")}: {perToken * 1e3:F2} ms/token -> {perToken * 5760:F1} s for 5760 tokens; load avg {Machine.LoadAverage()}");
            }
    }
}
