using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Temporary: cost of a GPT-2-small block's non-matmul parts at 64 × 12 tokens.</summary>
static class BlockParts
{
    static double Time(Func<Tensor> f, int reps = 50)
    {
        f().Dispose();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) f().Dispose();
        return sw.Elapsed.TotalMilliseconds / reps;
    }

    public static void Run()
    {
        using var _ = no_grad();
        using var x = randn(64, 12, 768);
        using var h = randn(64, 12, 3072);
        using var w = ones(768); using var b = zeros(768);
        using var q = randn(64, 12, 12, 64); using var k = randn(64, 12, 12, 64); using var v = randn(64, 12, 12, 64);
        using var qkv = randn(64, 12, 2304);
        Console.WriteLine($"layer_norm      {Time(() => nn.functional.layer_norm(x, [768], w, b, 1e-5)):F2} ms");
        Console.WriteLine($"gelu tanh       {Time(() => nn.functional.gelu(h, TorchSharp.Modules.GELU.Approximate.tanh)):F2} ms");
        Console.WriteLine($"sdpa causal     {Time(() => nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, true)):F2} ms");
        using var causalMask = ones(12, 12, dtype: ScalarType.Bool).tril().logical_not();
        Console.WriteLine($"manual attn     {Time(() => { using var sc = q.matmul(k.transpose(-2, -1)).mul_(1.0 / 8); sc.masked_fill_(causalMask, float.NegativeInfinity); using var p = sc.softmax(-1); return p.matmul(v); }):F2} ms");
        using var addMask = zeros(12, 12).masked_fill(causalMask, float.NegativeInfinity);
        Console.WriteLine($"sdpa addmask    {Time(() => nn.functional.scaled_dot_product_attention(q, k, v, addMask, 0.0, false)):F2} ms");
        Console.WriteLine($"split+transpose {Time(() => { using var s = qkv.view(64, 12, 3, 12, 64); using var t = s.select(2, 0).transpose(1, 2); return t.contiguous(); }):F2} ms");
        Console.WriteLine($"merge heads     {Time(() => { using var t = q.transpose(1, 2); return t.reshape(64, 12, 768); }):F2} ms");
        Console.WriteLine($"residual add    {Time(() => x + x):F2} ms");
        using var W = randn(768, 3072); using var flat = x.reshape(-1, 768); using var bias = zeros(3072);
        Console.WriteLine($"addmm 768x3072  {Time(() => addmm(bias, flat, W, 1, 1)):F2} ms");
    }
}
