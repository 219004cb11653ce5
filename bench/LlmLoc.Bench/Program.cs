using System.Diagnostics;
using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

// Model runtime benchmark: GPT-2-small-size checkpoint load time, peak RSS, forward throughput vs the matmul floor.
// Usage: dotnet run -c Release --project bench/LlmLoc.Bench [batch] [seq]
if (args.Length > 0 && args[0] == "load-profile")
{
    torch.set_num_threads(Environment.ProcessorCount);
    LoadProfile.Run(Path.Combine(Path.GetTempPath(), "llmloc-bench-gpt2"), 3);
    return;
}
int batch = args.Length > 0 ? int.Parse(args[0]) : 8;
int seq = args.Length > 1 ? int.Parse(args[1]) : 128;
torch.set_num_threads(Environment.ProcessorCount);
var folder = Path.Combine(Path.GetTempPath(), "llmloc-bench-gpt2");

if (!File.Exists(Path.Combine(folder, "model.safetensors")))
{
    using var fresh = ModelLoader.LoadUntrainedGpt2("gpt2");
    ModelLoader.Save(fresh, folder);
}
long fileBytes = new FileInfo(Path.Combine(folder, "model.safetensors")).Length;
ModelLoader.Load(folder, new LoadOptions()).Dispose(); // warm the page cache

var sw = Stopwatch.StartNew();
using var model = ModelLoader.Load(folder, new LoadOptions());
double loadSeconds = sw.Elapsed.TotalSeconds;

long nonEmbedding = ((nn.Module)model).named_parameters()
    .Where(p => !p.name.EndsWith("wte.weight") && !p.name.EndsWith("wpe.weight"))
    .Sum(p => p.parameter.NumberOfElements);

double flops = MatmulRate();
using var ids = torch.randint(0, 50257, [batch, seq], dtype: ScalarType.Int64);
model.Forward(ids, computeLogits: false); // warm-up
int reps = 3;
sw.Restart();
for (int i = 0; i < reps; i++) model.Forward(ids, computeLogits: false);
double forwardSeconds = sw.Elapsed.TotalSeconds / reps;
double tokensPerSecond = batch * seq / forwardSeconds;
double floorSeconds = 2.0 * nonEmbedding * batch * seq / flops;

Process.GetCurrentProcess().Refresh();
Console.WriteLine($"threads              {torch.get_num_threads()}");
Console.WriteLine($"checkpoint           {fileBytes / 1e6:F0} MB");
Console.WriteLine($"load (cached)        {loadSeconds:F3} s");
Console.WriteLine($"peak RSS             {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB (fp32 weights {fileBytes / 1e6:F0} MB)");
Console.WriteLine($"matmul rate          {flops / 1e9:F1} GFLOP/s");
Console.WriteLine($"forward {batch}x{seq}        {forwardSeconds * 1e3:F0} ms = {tokensPerSecond:F0} tokens/s (blocks only)");
Console.WriteLine($"floor                {floorSeconds * 1e3:F0} ms  -> ratio {forwardSeconds / floorSeconds:F2}x");

static double Matmul(int n)
{
    using var a = torch.randn(n, n);
    using var b = torch.randn(n, n);
    a.matmul(b).Dispose();
    var sw = Stopwatch.StartNew();
    int reps = 5;
    for (int i = 0; i < reps; i++) a.matmul(b).Dispose();
    return 2.0 * n * n * n * reps / sw.Elapsed.TotalSeconds;
}

static double MatmulRate() => Matmul(2048);
