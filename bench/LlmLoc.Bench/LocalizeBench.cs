using System.Diagnostics;
using LlmLoc.Localization;
using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Numerics;
using LlmLoc.Recording;
using LlmLoc.Sessions;
using LlmLoc.Statistics;
using LlmLoc.Stimuli;
using TorchSharp;

/// <summary>
/// `llmloc localize` on a random GPT-2-small over the 480 language stimuli: end to end as a separate process
/// (start-up, load, tokenization, extraction, statistics, cache files) against the floor
/// 2 × non-embedding params × tokens ÷ matmul rate, plus an in-process phase breakdown.
/// </summary>
static class LocalizeBench
{
    public static void Run(string cliDll, string sharedRoot, int[] batchSizes, int reps)
    {
        string folder = BenchCheckpoint.Ensure(sharedRoot);
        string stimuliDir = Path.Combine(sharedRoot, "stimuli");
        long fileBytes = new FileInfo(Path.Combine(folder, "model.safetensors")).Length;

        // Tokens the model actually sees: every stimulus truncated to 12 tokens as localize does.
        var tokenizer = LlmLoc.Tokenization.HfTokenizer.FromFolder(folder);
        var stimuli = LanguageStimuli.Load(stimuliDir);
        long tokens = stimuli.Positive.Concat(stimuli.Negative).Sum(t => (long)tokenizer.Encode(t, maxLength: Localizer.LanguageMaxTokens).Count);
        long nonEmbedding;
        using (var model = ModelLoader.Load(folder, new LoadOptions()))
            nonEmbedding = NonEmbeddingParameters(model);

        Console.WriteLine($"stimuli              {stimuli.Positive.Count + stimuli.Negative.Count}, {tokens} tokens after truncation to {Localizer.LanguageMaxTokens}");
        Console.WriteLine($"non-embedding params {nonEmbedding / 1e6:F1} M; checkpoint {fileBytes / 1e6:F0} MB");

        var startup = TimeChild(cliDll, ["--help"]);
        Console.WriteLine($"process start-up     {startup.Seconds:F2} s (`llmloc --help`), peak RSS {startup.PeakRssMb:F0} MB");

        foreach (int batch in batchSizes)
            for (int r = 0; r < reps; r++)
            {
                double flops = MatmulRate.FlopsPerSecond();
                double floor = 2.0 * nonEmbedding * tokens / flops;
                using var cache = new TempFolder();
                var run = TimeChild(cliDll, ["localize", "--model-name", folder, "--percentage", "1", "--stimuli-dir", stimuliDir,
                    "--cache-dir", cache.Path, "--overwrite", "--batch-size", batch.ToString()]);
                double matmuls = BlockMatmulsSeconds(tokens, batch * Localizer.LanguageMaxTokens);
                Console.WriteLine($"localize batch {batch,3}   {run.Seconds:F2} s end to end, floor {floor:F2} s ({flops / 1e9:F1} GFLOP/s) -> ratio {run.Seconds / floor:F2}x, " +
                    $"the blocks' matmuls alone at the run's shapes {matmuls:F2} s = {matmuls / floor:F2}x, " +
                    $"peak RSS {run.PeakRssMb:F0} MB (limit {(fileBytes + (1L << 30)) / 1e6:F0}), load avg {Machine.LoadAverage()}");
            }

        foreach (int batch in batchSizes) Phases(folder, stimuliDir, batch);
    }

    /// <summary>
    /// The four matmuls of GPT-2-small's 12 blocks (c_attn, attn c_proj, c_fc, mlp c_proj, with bias, as the model calls
    /// them) over the run's row batches in the layer-major order, each layer with its own weights: the part of a forward
    /// no schedule can avoid, at the shapes the run really has (what the 2048² floor does not see).
    /// </summary>
    static double BlockMatmulsSeconds(long tokens, int rowsPerBatch)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var shapes = new (int K, int N)[] { (768, 2304), (768, 768), (768, 3072), (3072, 768) };
        var batchRows = new List<long>();
        for (long left = tokens; left > 0; left -= rowsPerBatch) batchRows.Add(Math.Min(left, rowsPerBatch));
        var inputs = shapes.Select(sh => batchRows.Distinct().ToDictionary(r => r, r => torch.randn(r, sh.K))).ToArray();
        var layers = Enumerable.Range(0, 12).Select(_ => shapes.Select(sh => (W: torch.randn(sh.K, sh.N) * 0.02, B: torch.zeros(sh.N))).ToArray()).ToArray();
        torch.addmm(layers[0][0].B, inputs[0][batchRows[0]], layers[0][0].W, 1, 1).Dispose(); // warm-up
        var sw = Stopwatch.StartNew();
        foreach (var layer in layers)
            foreach (long rows in batchRows)
                for (int i = 0; i < shapes.Length; i++)
                    torch.addmm(layer[i].B, inputs[i][rows], layer[i].W, 1, 1).Dispose();
        return sw.Elapsed.TotalSeconds;
    }

    static long NonEmbeddingParameters(ICausalLanguageModel model) =>
        ((torch.nn.Module)model).named_parameters()
            .Where(p => !p.name.EndsWith("wte.weight") && !p.name.EndsWith("wpe.weight"))
            .Sum(p => p.parameter.NumberOfElements);

    /// <summary>The same pipeline in process, each phase timed (JIT and torch start-up land in the first phase).</summary>
    static void Phases(string folder, string stimuliDir, int batch)
    {
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        var stimuli = LanguageStimuli.Load(stimuliDir);
        double tStimuli = Lap(sw);
        using var session = ModelSession.Open(new ModelSpec(folder));
        double tLoad = Lap(sw);
        var pos = stimuli.Positive.Select(t => session.Tokenizer.Encode(t, maxLength: Localizer.LanguageMaxTokens)).ToList();
        var neg = stimuli.Negative.Select(t => session.Tokenizer.Encode(t, maxLength: Localizer.LanguageMaxTokens)).ToList();
        double tTokenize = Lap(sw);
        var a = ActivationRecorder.Record(session.Model, pos, Pooling.LastToken, batch, session.Tokenizer.PadTokenId);
        var b = ActivationRecorder.Record(session.Model, neg, Pooling.LastToken, batch, session.Tokenizer.PadTokenId);
        double tRecord = Lap(sw);
        // Again on the warm model: what the first pass paid for paging in weights and warming kernels.
        ActivationRecorder.Record(session.Model, pos, Pooling.LastToken, batch, session.Tokenizer.PadTokenId);
        ActivationRecorder.Record(session.Model, neg, Pooling.LastToken, batch, session.Tokenizer.PadTokenId);
        double tRecordWarm = Lap(sw);
        int layers = session.Model.NumLayers, hidden = session.Model.HiddenSize;
        var stats = LocalizerStatistics.Compute(a, b, layers, hidden);
        var mask = UnitSelection.Select(stats.T, 100, 100, (int)(0.01 * layers * hidden), LlmLoc.Defaults.Seed, out _);
        double tStats = Lap(sw);
        using (var cache = new TempFolder())
        {
            Npy.Write(Path.Combine(cache.Path, "mask.npy"), mask, layers, hidden);
            Npy.Write(Path.Combine(cache.Path, "p.npy"), stats.PAdjusted, layers, hidden);
            Npy.Write(Path.Combine(cache.Path, "t.npy"), stats.T, layers, hidden);
        }
        double tWrite = Lap(sw);
        Console.WriteLine($"in-process batch {batch,3}: stimuli {tStimuli:F2} s, load+tokenizer {tLoad:F2} s, tokenize {tTokenize:F2} s, " +
            $"record {tRecord:F2} s (warm repeat {tRecordWarm:F2} s), stats+select {tStats:F2} s, write {tWrite:F2} s, total {total.Elapsed.TotalSeconds:F2} s");
    }

    static double Lap(Stopwatch sw) { double s = sw.Elapsed.TotalSeconds; sw.Restart(); return s; }

    /// <summary>Runs `dotnet cli.dll args` under /usr/bin/time (for the child's peak RSS), fails loudly on a non-zero exit.</summary>
    static (double Seconds, double PeakRssMb) TimeChild(string cliDll, string[] args)
    {
        var psi = new ProcessStartInfo(File.Exists("/usr/bin/time") ? "/usr/bin/time" : "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        if (psi.FileName == "/usr/bin/time") { psi.ArgumentList.Add("-f"); psi.ArgumentList.Add("maxrss_kb=%M"); psi.ArgumentList.Add("dotnet"); }
        psi.ArgumentList.Add(cliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        double seconds = sw.Elapsed.TotalSeconds;
        string err = stderr.Result;
        if (p.ExitCode != 0) throw new InvalidOperationException($"llmloc {string.Join(' ', args)} exited {p.ExitCode}: {err}");
        var line = err.Split('\n').LastOrDefault(l => l.StartsWith("maxrss_kb="));
        return (seconds, line is null ? double.NaN : long.Parse(line["maxrss_kb=".Length..]) / 1024.0 * 1.048576);
    }

    sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("llmloc-bench-cache-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
