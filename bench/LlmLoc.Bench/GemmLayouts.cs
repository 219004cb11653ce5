using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The GPT-2-small block's four matmuls (with bias) at several row counts, in every form libtorch's CPU build offers
/// TorchSharp: MKL addmm on the checkpoint's [in, out] weight (what Conv1D runs), F.linear on an [out, in] copy, and
/// oneDNN's linear (aten::mkldnn_linear, reached through TorchScript since TorchSharp has no binding), beside the
/// 2048² rate the floor uses.
/// </summary>
static class GemmLayouts
{
    // TorchScript compiled in process reaches only aten:: ops; mkldnn_linear wants oneDNN-layout input and weight.
    const string OneDnnScript = @"
def to_onednn(w: Tensor):
    return w.to_mkldnn()

def onednn_linear(x: Tensor, w: Tensor, b: Tensor):
    return torch.mkldnn_linear(x.to_mkldnn(), w, b).to_dense()
";

    static double Time(Func<Tensor> f, int reps)
    {
        f().Dispose(); f().Dispose();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) f().Dispose();
        return sw.Elapsed.TotalSeconds / reps;
    }

    public static void Run(int[] rowCounts)
    {
        using var _ = no_grad();
        using var script = torch.jit.compile(OneDnnScript);
        Console.WriteLine($"threads {get_num_threads()}, 2048² rate {MatmulRate.FlopsPerSecond() / 1e9:F1} GFLOP/s");
        foreach (int rows in rowCounts)
        {
            var shapes = new (int K, int N)[] { (768, 2304), (768, 768), (768, 3072), (3072, 768) };
            double addmmInOut = 0, linearOutIn = 0, oneDnn = 0, flops = 0, oneDnnMaxDiff = 0;
            foreach (var (k, n) in shapes)
            {
                using var x = randn(rows, k); using var w = randn(k, n) * 0.02; using var wt = w.t().contiguous(); using var bias = randn(n) * 0.02;
                using var wOneDnn = (Tensor)script.invoke("to_onednn", wt);
                int reps = Math.Max(3, 60000 / rows);
                using (var reference = addmm(bias, x, w, 1, 1))
                using (var viaOneDnn = (Tensor)script.invoke("onednn_linear", x, wOneDnn, bias))
                    oneDnnMaxDiff = Math.Max(oneDnnMaxDiff, (viaOneDnn - reference).abs().max().item<float>());
                addmmInOut += Time(() => addmm(bias, x, w, 1, 1), reps);
                linearOutIn += Time(() => nn.functional.linear(x, wt, bias), reps);
                oneDnn += Time(() => (Tensor)script.invoke("onednn_linear", x, wOneDnn, bias), reps);
                flops += 2.0 * rows * k * n;
            }
            Console.WriteLine($"rows {rows,5}: addmm [in,out] {flops / addmmInOut / 1e9:F1}, linear [out,in] {flops / linearOutIn / 1e9:F1}, " +
                $"oneDNN linear {flops / oneDnn / 1e9:F1} GFLOP/s (max |oneDNN - addmm| {oneDnnMaxDiff:G2})");
        }
        Console.WriteLine($"2048² rate {MatmulRate.FlopsPerSecond() / 1e9:F1} GFLOP/s, load avg {Machine.LoadAverage()}");
    }
}
