using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlmLoc.Localization;
using LlmLoc.Stimuli;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// `llmloc localize --percentage 1` on a Llama-shaped bf16 checkpoint (random N(0, 0.02), 2 shards) that this
/// benchmark writes into a temporary folder and deletes afterwards. The child runs with DOTNET_GCHeapHardLimit set to
/// the memory budget (so --weights auto sees that budget, as it would see a cgroup limit); its peak anonymous and
/// file-backed resident memory are sampled from /proc/PID/status. Reports time against the FLOP floor plus the
/// time to read the file once. A byte-level tokenizer (256 tokens) stands in for the real one: every stimulus is
/// truncated to 12 tokens either way.
/// </summary>
static class BigModelBench
{
    public sealed record Shape(int Layers, int Hidden, int Intermediate, int Heads, int Vocab);

    public static readonly Dictionary<string, Shape> Shapes = new()
    {
        ["7b"] = new(32, 4096, 11008, 32, 32000),
        ["13b"] = new(40, 5120, 13824, 40, 32000),
        ["small"] = new(8, 2048, 5504, 16, 32000),
    };

    public static void Run(string cliDll, string sharedRoot, Shape shape, long budgetBytes, string weights, bool localize, bool generate)
    {
        string folder = Directory.CreateTempSubdirectory("llmloc-bench-big-").FullName;
        try
        {
            var sw = Stopwatch.StartNew();
            long fileBytes = Write(folder, shape);
            Console.WriteLine($"checkpoint           {shape} bf16, {fileBytes / 1e9:F2} GB in 2 shards, written in {sw.Elapsed.TotalSeconds:F0} s");

            string stimuliDir = Path.Combine(sharedRoot, "stimuli");
            var stimuli = LanguageStimuli.Load(stimuliDir);
            long tokens = stimuli.Positive.Concat(stimuli.Negative).Sum(t => (long)Math.Min(Encoding.UTF8.GetByteCount(t), Localizer.LanguageMaxTokens));
            long perLayer = 4L * shape.Hidden * shape.Hidden + 3L * shape.Hidden * shape.Intermediate;
            long nonEmbedding = perLayer * shape.Layers;
            double flops = MatmulRate.FlopsPerSecond();
            double floor = 2.0 * nonEmbedding * tokens / flops;
            double readSeconds = ReadOnce(folder);
            Console.WriteLine($"floor                {floor:F0} s = 2 x {nonEmbedding / 1e9:F2} G params x {tokens} tokens at {flops / 1e9:F1} GFLOP/s; reading the file once took {readSeconds:F0} s (load avg {Machine.LoadAverage()})");

            if (localize) Localize(cliDll, stimuliDir, folder, budgetBytes, weights, floor, readSeconds);
            if (generate) Generate(cliDll, folder, shape, budgetBytes, weights);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    static void Localize(string cliDll, string stimuliDir, string folder, long budgetBytes, string weights, double floor, double readSeconds)
    {
        DropPageCache(folder);
        using var cache = new TempDir();
        var run = RunChild(cliDll, budgetBytes, ["localize", "--model-name", folder, "--percentage", "1", "--stimuli-dir", stimuliDir,
            "--cache-dir", cache.Path, "--overwrite", "--device", "cpu", "--weights", weights]);
        Console.WriteLine($"localize             {run.Seconds:F0} s ({run.Seconds / (floor + readSeconds):F2}x floor + read), exit {run.ExitCode}, " +
            $"peak anonymous {run.PeakAnonMb:F0} MB, peak file-backed {run.PeakFileMb:F0} MB, budget {budgetBytes / 1048576.0:F0} MiB, load avg {Machine.LoadAverage()}");
        foreach (var line in run.Log) Console.WriteLine($"  {line}");
    }

    /// <summary>
    /// generate-lesion with a mask of 1% of the units (every 100th), greedy, from a 9-token prompt to 10 and to 18
    /// tokens: the difference of the two runs over 8 tokens is the time per decoded token (start-up, load and the
    /// prompt's forward cancel). Each run starts with the file in the page cache as the first left it.
    /// </summary>
    static void Generate(string cliDll, string folder, Shape shape, long budgetBytes, string weights)
    {
        using var dir = new TempDir();
        string maskPath = Path.Combine(dir.Path, "mask.npy");
        var mask = new long[(long)shape.Layers * shape.Hidden];
        for (long i = 0; i < mask.Length; i += 100) mask[i] = 1;
        LlmLoc.Numerics.Npy.Write(maskPath, mask, shape.Layers, shape.Hidden);
        const string prompt = "The quick"; // 9 tokens with the byte-level tokenizer
        var runs = new List<Child>();
        foreach (int maxLength in new[] { 10, 18 })
        {
            var run = RunChild(cliDll, budgetBytes, ["generate-lesion", "--model-name", folder, "--prompt", prompt, "--percentage", "1",
                "--mask", maskPath, "--greedy", "--max-length", maxLength.ToString(), "--device", "cpu", "--weights", weights]);
            runs.Add(run);
            Console.WriteLine($"generate-lesion      --max-length {maxLength}: {run.Seconds:F0} s, exit {run.ExitCode}, peak anonymous {run.PeakAnonMb:F0} MB, " +
                $"peak file-backed {run.PeakFileMb:F0} MB, budget {budgetBytes / 1048576.0:F0} MiB, load avg {Machine.LoadAverage()}");
            foreach (var line in run.Log) Console.WriteLine($"  {line}");
        }
        Console.WriteLine($"per decoded token    {(runs[1].Seconds - runs[0].Seconds) / 8:F1} s (difference of the two runs over 8 tokens)");
    }

    /// <summary>config.json, a byte-level tokenizer and two bf16 shards (written tensor by tensor) + the index.</summary>
    static long Write(string folder, Shape s)
    {
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model_type"] = "llama", ["hidden_size"] = s.Hidden, ["intermediate_size"] = s.Intermediate,
            ["num_attention_heads"] = s.Heads, ["num_key_value_heads"] = s.Heads, ["num_hidden_layers"] = s.Layers,
            ["vocab_size"] = s.Vocab, ["rms_norm_eps"] = 1e-5, ["torch_dtype"] = "bfloat16", ["max_position_embeddings"] = 4096,
        }));
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(ByteLevelAlphabet(s.Vocab)));
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\n");
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"tokenizer_class": "GPT2Tokenizer"}""");

        var tensors = new List<(string Name, long[] Shape)> { ("model.embed_tokens.weight", [s.Vocab, s.Hidden]) };
        for (int i = 0; i < s.Layers; i++)
        {
            string p = $"model.layers.{i}.";
            foreach (var n in new[] { "q_proj", "k_proj", "v_proj", "o_proj" }) tensors.Add((p + "self_attn." + n + ".weight", [s.Hidden, s.Hidden]));
            tensors.Add((p + "mlp.gate_proj.weight", [s.Intermediate, s.Hidden]));
            tensors.Add((p + "mlp.up_proj.weight", [s.Intermediate, s.Hidden]));
            tensors.Add((p + "mlp.down_proj.weight", [s.Hidden, s.Intermediate]));
            tensors.Add((p + "input_layernorm.weight", [s.Hidden]));
            tensors.Add((p + "post_attention_layernorm.weight", [s.Hidden]));
        }
        tensors.Add(("model.norm.weight", [s.Hidden]));
        tensors.Add(("lm_head.weight", [s.Vocab, s.Hidden]));

        int half = tensors.Count / 2;
        var shards = new[] { tensors[..half], tensors[half..] };
        var weightMap = new Dictionary<string, string>();
        long total = 0;
        using var generator = new Generator(0, CPU);
        for (int k = 0; k < 2; k++)
        {
            string name = $"model-0000{k + 1}-of-00002.safetensors";
            total += WriteShard(Path.Combine(folder, name), shards[k], generator);
            foreach (var (t, _) in shards[k]) weightMap[t] = name;
        }
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"),
            JsonSerializer.Serialize(new { metadata = new { total_size = total }, weight_map = weightMap }));
        return total;
    }

    /// <summary>The header first (offsets from the shapes), then each tensor generated and written in turn.</summary>
    static long WriteShard(string path, List<(string Name, long[] Shape)> tensors, Generator generator)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = shape.Aggregate(1L, (a, b) => a * b) * 2;
            header[name] = new { dtype = "BF16", shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        stream.Write(BitConverter.GetBytes((long)padded));
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var (name, shape) in tensors)
        {
            using var scope = NewDisposeScope();
            var t = name.EndsWith("layernorm.weight") || name == "model.norm.weight"
                ? ones(shape, ScalarType.BFloat16)
                : empty(shape, float32).normal_(0, 0.02, generator).to(ScalarType.BFloat16);
            stream.Write(t.contiguous().bytes);
        }
        return offset;
    }

    /// <summary>The 256 byte tokens, then placeholder tokens up to the model's vocabulary so every generated id decodes
    /// (there are no merges, so encoding still yields one token per byte).</summary>
    static Dictionary<string, int> ByteLevelAlphabet(int vocabSize)
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var vocab = new Dictionary<string, int>();
        int extra = 0;
        for (int b = 0; b < 256; b++) vocab[new Rune(printable.Contains(b) ? b : 256 + extra++).ToString()] = b;
        for (int id = 256; id < vocabSize; id++) vocab[$"<{id}>"] = id;
        return vocab;
    }

    static double ReadOnce(string folder)
    {
        DropPageCache(folder);
        var sw = Stopwatch.StartNew();
        foreach (var file in Directory.GetFiles(folder, "*.safetensors"))
            using (var s = File.OpenRead(file)) s.CopyTo(Stream.Null, 1 << 20);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>posix_fadvise(DONTNEED) through the library's own hint, so the run starts from disk.</summary>
    static void DropPageCache(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*.safetensors"))
        {
            using var st = LlmLoc.Models.SafeTensors.SafeTensorsFile.Open(file);
            foreach (var name in st.Entries.Keys) st.Advise(name, willNeed: false);
        }
    }

    sealed record Child(double Seconds, int ExitCode, double PeakAnonMb, double PeakFileMb, List<string> Log);

    static Child RunChild(string cliDll, long budgetBytes, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x" + budgetBytes.ToString("X");
        psi.ArgumentList.Add(cliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        long anon = 0, file = 0;
        while (!p.WaitForExit(100))
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{p.Id}/status"))
                {
                    if (line.StartsWith("RssAnon:")) anon = Math.Max(anon, Kb(line));
                    if (line.StartsWith("RssFile:")) file = Math.Max(file, Kb(line));
                }
            }
            catch (IOException) { }
        }
        var log = (stderr.Result + stdout.Result).Split('\n', '\r').Where(l => l.StartsWith("llmloc:") || l.StartsWith("> Number")).Distinct().ToList();
        return new Child(sw.Elapsed.TotalSeconds, p.ExitCode, anon / 1024.0, file / 1024.0, log);
    }

    static long Kb(string statusLine) => long.Parse(statusLine.Split(':')[1].Trim().Split(' ')[0]);

    sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("llmloc-bench-cache-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
