using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Cost of each step of a GPT-2-small block at <c>batch</c> × 12 tokens (localize's shape), their sum, the
/// matmuls' share, and the whole block as the model runs it: where a forward's time over the FLOP floor goes.
/// </summary>
static class BlockParts
{
    static double Time(Func<Tensor> f, int reps)
    {
        f().Dispose();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) f().Dispose();
        return sw.Elapsed.TotalMilliseconds / reps;
    }

    public static void Run(int batch)
    {
        using var _ = no_grad();
        int reps = Math.Max(5, 3000 / batch);
        long rows = batch * 12L;
        using var x = randn(batch, 12, 768);
        using var h = randn(batch, 12, 3072);
        using var w = ones(768); using var b = zeros(768);
        using var qkv = randn(batch, 12, 2304);
        using var q = randn(batch, 12, 12, 64); using var k = randn(batch, 12, 12, 64); using var v = randn(batch, 12, 12, 64);
        using var causalMask = ones(12, 12, dtype: ScalarType.Bool).tril().logical_not();
        using var flat = x.reshape(-1, 768); using var flatH = h.reshape(-1, 3072);
        using var wAttn = randn(768, 2304) * 0.02; using var bAttn = zeros(2304);
        using var wProj = randn(768, 768) * 0.02; using var bProj = zeros(768);
        using var wFc = randn(768, 3072) * 0.02; using var bFc = zeros(3072);
        using var wOut = randn(3072, 768) * 0.02;

        var parts = new (string Name, bool Matmul, Func<Tensor> F)[]
        {
            ("layer_norm x2", false, () => { using var a = nn.functional.layer_norm(x, [768], w, b, 1e-5); return nn.functional.layer_norm(x, [768], w, b, 1e-5); }),
            ("c_attn 768x2304", true, () => addmm(bAttn, flat, wAttn, 1, 1)),
            ("split heads", false, () => { using var s = qkv.view(batch, 12, 3, 12, 64); using var t = s.select(2, 0).transpose(1, 2); return t.contiguous(); }),
            ("attention (eager)", false, () => { using var sc = q.matmul(k.transpose(-2, -1)).mul_(1.0 / 8); sc.masked_fill_(causalMask, float.NegativeInfinity); using var p = sc.softmax(-1); return p.matmul(v); }),
            ("merge heads", false, () => { using var t = q.transpose(1, 2); return t.reshape(batch, 12, 768); }),
            ("attn c_proj 768x768", true, () => addmm(bProj, flat, wProj, 1, 1)),
            ("residual add x2", false, () => { using var a = x + x; return x + x; }),
            ("c_fc 768x3072", true, () => addmm(bFc, flat, wFc, 1, 1)),
            ("gelu tanh", false, () => nn.functional.gelu(h, TorchSharp.Modules.GELU.Approximate.tanh)),
            ("mlp c_proj 3072x768", true, () => addmm(bProj, flatH, wOut, 1, 1)),
        };
        double total = 0, matmul = 0;
        Console.WriteLine($"GPT-2-small block parts at {batch} x 12 = {rows} rows ({reps} reps each):");
        foreach (var (name, isMatmul, f) in parts)
        {
            double ms = Time(f, reps);
            total += ms; if (isMatmul) matmul += ms;
            Console.WriteLine($"  {name,-22} {ms,8:F2} ms");
        }
        double flops = 2.0 * rows * (768 * 2304 + 768 * 768 + 2 * 768 * 3072);
        Console.WriteLine($"  sum {total:F2} ms, matmuls {matmul:F2} ms ({flops / (matmul / 1e3) / 1e9:F1} GFLOP/s), rest {total - matmul:F2} ms; 2048² rate {MatmulRate.FlopsPerSecond() / 1e9:F1} GFLOP/s");
    }
}
