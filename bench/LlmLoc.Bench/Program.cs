using System.Diagnostics;
using LlmLoc.Models;
using TorchSharp;
using static TorchSharp.torch;

// Benchmarks (not part of the test run). Modes:
//   [runtime] [batch=8] [seq=128]     load time, peak RSS, forward throughput vs the matmul floor
//   load-mode read|map [gpt2-size]    one load (memory-mapped or read weights) in a fresh process: load, touch, peak RSS
//   load-profile                      where load time goes (raw read, header, modules, weights; read vs memory map)
//   localize [batch sizes...]         `llmloc localize` end to end as a child process vs the floor, + phase breakdown
//   parts [batch=64]                  each step of a GPT-2 block at batch × 12 tokens, matmuls vs the rest
//   gemm [rows...]                    the GPT-2 block's matmuls at 768/1536/5760 rows: MKL in both weight layouts, oneDNN
//   sustained [seconds=9]             the 2048² matmul rate held for a run's length vs the burst rate the floor uses
//   cold-start                        a fresh process's steps before the first forward (stimuli, tokenizer, torch, load)
//   dtype                             bf16 vs float32 compute: max block-output difference on every fixture family
//   big [7b|13b|small] [GiB] [weights] [localize|generate|both] localize / generate-lesion on a Llama-shaped bf16 checkpoint it writes (and deletes) under a memory budget
// LLMLOC_SHARED: reference data (default ../shared beside the repository); LLMLOC_CLI_DLL: the built llmloc.dll.
torch.set_num_threads(Environment.ProcessorCount);
string repo = FindRepoRoot();
string shared = Environment.GetEnvironmentVariable("LLMLOC_SHARED") ?? Path.GetFullPath(Path.Combine(repo, "..", "shared"));
string mode = args.Length > 0 && !char.IsDigit(args[0][0]) ? args[0] : "runtime";
var rest = mode == "runtime" && (args.Length == 0 || char.IsDigit(args[0][0])) ? args : args[1..];
Console.WriteLine($"machine              {Environment.ProcessorCount} cores, {Machine.CpuModel()}, load average {Machine.LoadAverage()}");

switch (mode)
{
    case "cold-start":
        ColdStart.Run(shared);
        break;
    case "parts":
        BlockParts.Run(rest.Length > 0 ? int.Parse(rest[0]) : 64);
        break;
    case "gemm":
        GemmLayouts.Run(rest.Length > 0 ? rest.Select(int.Parse).ToArray() : [768, 1536, 5760]);
        break;
    case "sustained":
        SustainedRate.Run(rest.Length > 0 ? double.Parse(rest[0]) : 9.0);
        break;
    case "shapes":
        ForwardShapes.Run(BenchCheckpoint.Ensure(shared));
        break;
    case "load-mode":
        LoadProfile.OneMode(BenchCheckpoint.Ensure(shared, rest.Length > 1 ? rest[1] : "gpt2"), map: rest.Length > 0 && rest[0] == "map");
        break;
    case "load-profile":
        BenchCheckpoint.Ensure(shared);
        LoadProfile.Run(BenchCheckpoint.Folder, 3);
        break;
    case "dtype":
        DTypeDeviation.Run(shared);
        break;
    case "big":
        BigModelBench.Run(CliDll(), shared, BigModelBench.Shapes[rest.Length > 0 ? rest[0] : "7b"],
            (long)((rest.Length > 1 ? double.Parse(rest[1]) : 6.0) * (1L << 30)), rest.Length > 2 ? rest[2] : "auto",
            localize: rest.Length <= 3 || rest[3] is "localize" or "both", generate: rest.Length > 3 && rest[3] is "generate" or "both");
        break;
    case "localize":
        string cli = CliDll();
        int[] batches = rest.Length > 0 ? rest.Select(int.Parse).ToArray() : [16, 64, 240];
        LocalizeBench.Run(cli, shared, batches, reps: int.Parse(Environment.GetEnvironmentVariable("LLMLOC_BENCH_REPS") ?? "2"));
        break;
    default:
        Runtime(rest.Length > 0 ? int.Parse(rest[0]) : 8, rest.Length > 1 ? int.Parse(rest[1]) : 128);
        break;
}

void Runtime(int batch, int seq)
{
    var folder = BenchCheckpoint.Ensure(shared);
    long fileBytes = new FileInfo(Path.Combine(folder, "model.safetensors")).Length;
    // Put the file in the page cache through a small buffer (a whole-file array would inflate the peak RSS).
    using (var warm = File.OpenRead(Path.Combine(folder, "model.safetensors"))) warm.CopyTo(Stream.Null, 1 << 20);

    var sw = Stopwatch.StartNew();
    using var model = ModelLoader.Load(folder, new LoadOptions());
    double loadSeconds = sw.Elapsed.TotalSeconds;

    long nonEmbedding = ((nn.Module)model).named_parameters()
        .Where(p => !p.name.EndsWith("wte.weight") && !p.name.EndsWith("wpe.weight"))
        .Sum(p => p.parameter.NumberOfElements);

    using var ids = torch.randint(0, 50257, [batch, seq], dtype: ScalarType.Int64);
    sw.Restart();
    model.Forward(ids, computeLogits: false); // first forward also pages the mapped weights in
    double firstForward = sw.Elapsed.TotalSeconds;
    Console.WriteLine($"checkpoint           {fileBytes / 1e6:F0} MB");
    Console.WriteLine($"load (cached)        {loadSeconds:F3} s; first forward {firstForward:F3} s");
    for (int trial = 0; trial < 3; trial++)
    {
        double flops = MatmulRate.FlopsPerSecond();
        const int reps = 3;
        sw.Restart();
        for (int i = 0; i < reps; i++) model.Forward(ids, computeLogits: false);
        double forwardSeconds = sw.Elapsed.TotalSeconds / reps;
        double floorSeconds = 2.0 * nonEmbedding * batch * seq / flops;
        Console.WriteLine($"forward {batch}x{seq}        {forwardSeconds * 1e3:F0} ms = {batch * seq / forwardSeconds:F0} tokens/s (blocks only); " +
            $"floor {floorSeconds * 1e3:F0} ms at {flops / 1e9:F1} GFLOP/s -> ratio {forwardSeconds / floorSeconds:F2}x; load avg {Machine.LoadAverage()}");
    }
    Console.WriteLine($"peak RSS             {Machine.PeakRssBytes() / 1e6:F0} MB (limit fp32 weights + 1 GiB = {(fileBytes + (1L << 30)) / 1e6:F0} MB)");
}

string CliDll()
{
    string cli = Environment.GetEnvironmentVariable("LLMLOC_CLI_DLL")
        ?? Path.Combine(repo, "src", "LlmLoc.Cli", "bin", "Release", "net10.0", "linux-x64", "llmloc.dll");
    if (!File.Exists(cli)) throw new FileNotFoundException($"build the CLI first: dotnet build -c Release src/LlmLoc.Cli (or set LLMLOC_CLI_DLL)", cli);
    return cli;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LlmLoc.sln"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}
