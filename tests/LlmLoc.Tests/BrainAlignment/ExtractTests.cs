using LlmLoc.Evaluation;
using LlmLoc.Extraction;
using LlmLoc.Masks;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;

namespace LlmLoc.Tests.BrainAlignment;

/// <summary>llmloc extract on the tiny GPT-2 fixture (3 layers × 48 units, real GPT-2 tokenizer).</summary>
public class ExtractTests
{
    static string Model => Shared.Fixture("models", "gpt2");
    static string MaskFile => Path.Combine(Model, "lesion_mask.npy");

    static readonly string[] Sentences =
    [
        "The cat sat on the mat.",
        "Dogs bark loudly at night, and the neighbours complain about it every single morning.",
        "A short one.",
        "Colourless green ideas sleep furiously.",
        "She gave him the \"book\" that he wanted.",
        "Rain.",
        "After the long meeting, everyone went home.",
    ];

    static float[] Extract(TempDir dir, string name, int batchSize, long? heldBytes, Pooling pooling, string? mask = null, string? input = null, bool context = false)
    {
        input ??= dir.File("items.txt");
        if (!File.Exists(input)) File.WriteAllLines(input, Sentences);
        var options = new ExtractOptions
        {
            Model = new(Model), InputFile = input, OutputFile = dir.File(name + ".npy"), BatchSize = batchSize, Pooling = pooling,
            Mask = mask is null ? null : new() { File = mask }, PassageContext = context,
        };
        ExtractRun.Run(options, TextWriter.Null, TextWriter.Null, heldBytes ?? SequenceScorer.GroupHiddenBytes);
        return Npy.Read(dir.File(name + ".npy")).ToFloats();
    }

    [Theory, InlineData(Pooling.LastToken), InlineData(Pooling.Mean)]
    public void BatchedAndChunkedExtractionEqualsBatchSizeOne(Pooling pooling)
    {
        using var dir = new TempDir();
        float[] one = Extract(dir, "one", batchSize: 1, heldBytes: null, pooling);
        // 30,000 bytes: two recorder calls, the first of two padded batches of 3, the second of one item.
        float[] batched = Extract(dir, "batched", batchSize: 3, heldBytes: 30_000, pooling);
        int[] tokens = File.ReadAllLines(dir.File("batched.items.csv")).Skip(1).Select(line => int.Parse(line.Split(',')[^2])).ToArray();
        Assert.Equal([6, 1], ExtractRun.Chunks(tokens, 3, 48, 3, 30_000));
        Assert.Equal(Sentences.Length * 3 * 48, one.Length);
        Assert.Equal([Sentences.Length, 3, 48], Npy.Read(dir.File("one.npy")).Shape);
        AssertClose(one, batched);
        Assert.Contains(one, v => v != 0);
    }

    /// <summary>
    /// The layer-major recorder holds every batch's hidden states and attention mask of a call, so extract sizes its calls
    /// by tokens too: for GPT-2-small-shaped passages each call, replayed as the recorder batches it (sorted,
    /// right-padded), stays within the 256 MB budget; a pooled-output-only sizing put 2,880 such items in one call.
    /// Lengths 1-1,000 in batches of 64 (much padding), and 990-1,000 in batches of 8 (little padding, so the bound on
    /// it leaves no slack for the [rows × 1 × width × width] bool masks it would otherwise leave out).
    /// </summary>
    [Theory, InlineData(1, 1000, 64), InlineData(990, 1000, 8)]
    public void ChunksKeepEachRecorderCallsHiddenStatesMasksAndPooledOutputWithinTheBudget(int shortest, int longest, int batch)
    {
        const int layers = 12, hidden = 768;
        var random = new Random(7);
        int[] counts = Enumerable.Range(0, 5000).Select(_ => random.Next(shortest, longest + 1)).ToArray();
        int[] chunks = ExtractRun.Chunks(counts, layers, hidden, batch, SequenceScorer.GroupHiddenBytes);
        Assert.Equal(counts.Length, chunks.Sum());
        Assert.True(chunks.Length > 20, $"{chunks.Length} calls");
        int start = 0;
        foreach (int chunk in chunks)
        {
            var sorted = counts.Skip(start).Take(chunk).OrderByDescending(c => c).ToArray();
            // Per batch [rows × width]: float32 hidden states; the bool attention mask [rows × 1 × width × width] when a
            // row is padded; int64 ids, int64 attention mask, float32 real-token weights and bool key validity.
            long held = (long)chunk * layers * hidden * sizeof(double) + sorted.Chunk(batch).Sum(rows =>
            {
                long positions = (long)rows.Length * rows[0];
                long attentionMask = rows[^1] < rows[0] ? positions * rows[0] : 0;
                return positions * hidden * sizeof(float) + attentionMask + positions * (8 + 8 + 4 + 1);
            });
            Assert.True(held <= SequenceScorer.GroupHiddenBytes, $"call of {chunk} items holds {held} bytes");
            start += chunk;
            if (start < counts.Length && chunk > batch) Assert.Equal(0, chunk % batch);
        }
        // One item larger than the budget goes alone instead of failing.
        Assert.Equal([1, 1], ExtractRun.Chunks([100, 100], layers, hidden, batch, 1000));
    }

    /// <summary>float32 activations of the same item in different batches agree to rounding (summation order).</summary>
    static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(a))).Max();
        Assert.True(worst <= 1e-5, $"differs by {worst}");
    }

    [Fact]
    public void MaskKeepsExactlyItsUnitsInLayerMajorOrder()
    {
        using var dir = new TempDir();
        float[] full = Extract(dir, "full", 4, null, Pooling.LastToken);
        float[] masked = Extract(dir, "masked", 4, null, Pooling.LastToken, MaskFile);
        long[] mask = Npy.Read(MaskFile).ToInt64s();
        int[] units = Enumerable.Range(0, mask.Length).Where(i => mask[i] != 0).ToArray();
        Assert.Equal([Sentences.Length, units.Length], Npy.Read(dir.File("masked.npy")).Shape);
        for (int item = 0; item < Sentences.Length; item++)
            for (int k = 0; k < units.Length; k++)
                Assert.Equal(full[item * 144 + units[k]], masked[item * units.Length + k]);
        var table = File.ReadAllLines(dir.File("masked.units.csv"));
        Assert.Equal("column,layer,unit", table[0]);
        Assert.Equal(units.Select((u, k) => $"{k},{u / 48},{u % 48}"), table.Skip(1));
    }

    [Fact]
    public void PassageContextReadsEarlierItemsOfTheSamePassageFirst()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("p.csv"), ["passage,text", "a,The cat sat on the mat.", "b,Rain.", "a,It was asleep.", "b,\"Then, sun.\""]);
        float[] withContext = Extract(dir, "ctx", 2, null, Pooling.LastToken, input: dir.File("p.csv"), context: true);
        File.WriteAllLines(dir.File("joined.txt"), ["The cat sat on the mat. It was asleep.", "Rain. Then, sun."]);
        float[] joined = Extract(dir, "joined", 1, null, Pooling.LastToken, input: dir.File("joined.txt"));
        float[] plain = Extract(dir, "plain", 1, null, Pooling.LastToken, input: dir.File("p.csv"));
        AssertClose(plain[..144], withContext[..144]); // first item of a passage: no context
        AssertClose(joined[..144], withContext[288..432]);
        AssertClose(joined[144..], withContext[432..]);
        Assert.NotEqual(plain[288..432], withContext[288..432]);
        var items = File.ReadAllLines(dir.File("ctx.items.csv"));
        Assert.Equal("item,line,passage,text,tokens,context_tokens_dropped", items[0]);
        Assert.Equal("3,5,b,\"Then, sun.\",6,0", items[4]);
    }

    [Fact]
    public async Task ItemTableAsParquetAndJsonlInput()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("i.jsonl"), ["{\"text\": \"The cat sat on the mat.\", \"id\": 1}", "", "{\"text\": \"Rain.\"}"]);
        var run = CliRunner.Run("extract", "--model-name", Model, "--input", dir.File("i.jsonl"), "--output", dir.File("j.npy"),
            "--items", dir.File("j.parquet"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var rows = (await Parquet.Serialization.ParquetSerializer.DeserializeAsync<ExtractRun.ItemRow>(dir.File("j.parquet"))).Data;
        Assert.Equal(["The cat sat on the mat.", "Rain."], rows.Select(r => r.text));
        Assert.Equal([1, 3], rows.Select(r => r.line));
        Assert.Equal([7, 2], rows.Select(r => r.tokens));
        Assert.Equal([2, 3, 48], Npy.Read(dir.File("j.npy")).Shape);
    }

    /// <summary>--weights and --dtype reach the model load: streamed float32 equals in-memory float32 (same block
    /// maths), bfloat16 compute differs from float32 by bf16 rounding only.</summary>
    [Fact]
    public void WeightsAndDTypeFlagsReachTheModel()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("s.txt"), Sentences);
        float[] Run(string name, string weights, string dtype, string expectedLog)
        {
            string[] args = ["extract", "--model-name", Model, "--input", dir.File("s.txt"), "--output", dir.File(name + ".npy"),
                "--device", "cpu", "--weights", weights, "--dtype", dtype];
            var run = CliRunner.Run([.. args, "--verbose"]);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains(expectedLog, run.Stderr);
            // Without --verbose, only a streamed model is reported.
            var quiet = CliRunner.Run(args);
            Assert.Equal(weights == "streamed", quiet.Stderr.Contains("llmloc: weights"));
            return Npy.Read(dir.File(name + ".npy")).ToFloats();
        }
        float[] memory = Run("memory", "in-memory", "float32", "llmloc: weights in memory as float32");
        float[] streamed = Run("streamed", "streamed", "float32", "llmloc: weights streamed block by block from the checkpoint as float32");
        float[] bf16 = Run("bf16", "in-memory", "bfloat16", "llmloc: weights in memory as bfloat16");
        AssertClose(memory, streamed);
        Assert.NotEqual(memory, bf16);
        double worst = memory.Zip(bf16, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(a))).Max();
        Assert.True(worst < 0.1, $"bf16 differs by {worst}");
    }

    [Fact]
    public void ExtractThenAlignScoresLanguageAndRandomUnitsOfTheSameFile()
    {
        // The analysis end to end on the fixture model: 20 items, responses built from two language units' activations.
        using var dir = new TempDir();
        var lines = Enumerable.Range(0, 20).Select(i => $"Sentence number {i} talks about {(i % 3 == 0 ? "cats" : "the weather")} today.").ToArray();
        File.WriteAllLines(dir.File("s.txt"), lines);
        var extract = CliRunner.Run("extract", "--model-name", Model, "--input", dir.File("s.txt"), "--output", dir.File("a.npy"));
        Assert.True(extract.ExitCode == 0, extract.Stderr);
        float[] acts = Npy.Read(dir.File("a.npy")).ToFloats();
        long[] mask = Npy.Read(MaskFile).ToInt64s();
        int[] units = Enumerable.Range(0, mask.Length).Where(i => mask[i] != 0).ToArray();
        var y = new double[20 * 2];
        for (int i = 0; i < 20; i++) { y[i * 2] = acts[i * 144 + units[0]]; y[i * 2 + 1] = acts[i * 144 + units[3]]; }
        Npy.Write(dir.File("y.npy"), y, 20, 2);
        var align = CliRunner.Run("align", "--activations", dir.File("a.npy"), "--responses", dir.File("y.npy"), "--mask", MaskFile,
            "--random-seeds", "2", "--folds", "5", "--json", dir.File("r.json"));
        Assert.True(align.ExitCode == 0, align.Stderr);
        var doc = TestJson.Read<LlmLoc.BrainAlignment.AlignReport.Document>(dir.File("r.json"));
        Assert.Equal(["language", "random", "random"], doc.Conditions.Select(c => c.Condition));
        Assert.True(doc.Conditions[0].Score > 0.999, $"language units predict their own activations: {doc.Conditions[0].Score}");
        Assert.Equal(5, doc.Groups.Single().Splits.Count);
    }

    [Theory]
    [InlineData("blank", "line 2 is blank", 2)]
    [InlineData("no-text-column", "has no column 'text'", 2)]
    [InlineData("mean-context", "--context passage needs --pooling last-token", 1)]
    [InlineData("missing-cache", "no cached language mask", 2)]
    [InlineData("mask-shape", "has shape (2, 48) but the model has 3 layers × 48 units", 2)]
    [InlineData("output", "--output", 1)]
    [InlineData("output-proc", "--output /proc/out.npy: cannot create files in /proc", 1)]
    [InlineData("items-folder", "--items", 1)]
    [InlineData("units-without-mask", "--units needs --mask or --percentage", 1)]
    [InlineData("items-is-input", "--items", 1)]
    [InlineData("units-is-items", "--units", 1)]
    [InlineData("output-is-mask", "--output", 1)]
    public void BadInputIsOneLineErrorAndNoFile(string problem, string expected, int code)
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("ok.txt"), ["One.", "Two."]);
        var flags = new Dictionary<string, string> { ["--model-name"] = Model, ["--input"] = dir.File("ok.txt"), ["--output"] = dir.File("out.npy") };
        switch (problem)
        {
            case "blank": File.WriteAllLines(dir.File("b.txt"), ["One.", " ", "Two."]); flags["--input"] = dir.File("b.txt"); break;
            case "no-text-column": File.WriteAllLines(dir.File("c.csv"), ["sentence", "One."]); flags["--input"] = dir.File("c.csv"); break;
            case "mean-context": flags["--pooling"] = "mean"; flags["--context"] = "passage"; break;
            case "missing-cache": flags["--percentage"] = "1"; flags["--cache-dir"] = dir.File("cache"); break;
            case "mask-shape": Npy.Write(dir.File("m.npy"), new long[96], 2, 48); flags["--mask"] = dir.File("m.npy"); break;
            case "output": flags["--output"] = dir.File("out.bin"); break;
            case "output-proc": flags["--output"] = "/proc/out.npy"; break;
            case "items-folder": Directory.CreateDirectory(dir.File("items.csv")); flags["--items"] = dir.File("items.csv"); break;
            case "units-without-mask": flags["--units"] = dir.File("u.csv"); break;
            case "items-is-input": File.WriteAllLines(dir.File("c.csv"), ["text", "One."]); flags["--input"] = dir.File("c.csv"); flags["--items"] = dir.File("c.csv"); break;
            case "units-is-items": flags["--mask"] = MaskFile; flags["--items"] = dir.File("t.csv"); flags["--units"] = dir.File("t.csv"); break;
            case "output-is-mask": File.Copy(MaskFile, dir.File("out.npy")); flags["--mask"] = dir.File("out.npy"); break;
        }
        var result = CliRunner.Run(["extract", .. flags.SelectMany(f => new[] { f.Key, f.Value })]);
        Assert.Equal(code, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        // The load's one informational line (weights in memory or streamed) may precede the error.
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("llmloc: weights "));
        if (problem is "output-proc" or "items-folder" or "items-is-input" or "units-is-items" or "output-is-mask")
            Assert.DoesNotContain("llmloc: weights", result.Stderr); // refused before the model is loaded
        if (problem == "output-is-mask") Assert.Equal(File.ReadAllBytes(MaskFile), File.ReadAllBytes(dir.File("out.npy")));
        else Assert.False(File.Exists(dir.File("out.npy")));
        Assert.False(File.Exists(dir.File("out.items.csv")));
        Assert.False(File.Exists(dir.File("t.csv")));
        if (problem == "items-is-input") Assert.Equal(["text", "One."], File.ReadAllLines(dir.File("c.csv")));
    }
}
