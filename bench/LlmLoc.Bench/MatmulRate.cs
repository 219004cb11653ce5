using System.Diagnostics;
using TorchSharp;

/// <summary>The machine's fp32 matmul rate: best of several 2048² matmuls (the machine is shared, so the best is the capacity).</summary>
static class MatmulRate
{
    public static double FlopsPerSecond(int trials = 5, int n = 2048)
    {
        using var a = torch.randn(n, n);
        using var b = torch.randn(n, n);
        a.matmul(b).Dispose();
        double best = 0;
        for (int t = 0; t < trials; t++)
        {
            var sw = Stopwatch.StartNew();
            const int reps = 3;
            for (int i = 0; i < reps; i++) a.matmul(b).Dispose();
            best = Math.Max(best, 2.0 * n * n * n * reps / sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
