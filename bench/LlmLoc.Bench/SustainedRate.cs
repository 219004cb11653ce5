using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// How far this machine's sustained matmul rate falls below the burst rate the floor uses: 2048² matmuls back to back
/// for as long as a localize run, their mean rate and spread, beside the best-of-5 rate measured before and after.
/// </summary>
static class SustainedRate
{
    public static void Run(double seconds)
    {
        using var _ = no_grad();
        double before = MatmulRate.FlopsPerSecond();
        using var a = randn(2048, 2048);
        using var b = randn(2048, 2048);
        const double flopsPerCall = 2.0 * 2048 * 2048 * 2048;
        var rates = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            var sw = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            rates.Add(flopsPerCall / sw.Elapsed.TotalSeconds);
        }
        double elapsed = total.Elapsed.TotalSeconds;
        double mean = flopsPerCall * rates.Count / elapsed;
        double after = MatmulRate.FlopsPerSecond();
        rates.Sort();
        double Pct(double p) => rates[(int)Math.Min(rates.Count - 1, p * rates.Count)] / 1e9;
        Console.WriteLine($"sustained 2048² for {elapsed:F1} s: mean {mean / 1e9:F1} GFLOP/s over {rates.Count} matmuls " +
            $"(per-call p10 {Pct(0.1):F1}, median {Pct(0.5):F1}, p90 {Pct(0.9):F1}, max {rates[^1] / 1e9:F1}); best-of-5 burst rate before {before / 1e9:F1}, after {after / 1e9:F1} " +
            $"-> a pure 2048² workload scores {Math.Max(before, after) / mean:F2}x the burst floor; load avg {Machine.LoadAverage()}");
    }
}
