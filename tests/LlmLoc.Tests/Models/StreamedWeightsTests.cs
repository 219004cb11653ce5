using LlmLoc.Generation;
using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Models.Common;
using LlmLoc.Models.SafeTensors;
using LlmLoc.Numerics;
using LlmLoc.Recording;
using TorchSharp;
using static LlmLoc.Tests.Infrastructure.ModelFixture;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Models;

/// <summary>
/// Streamed weights (block parameters read and converted one block at a time) and the layer-major schedule give
/// the in-memory model's results on every fixture family: bit-identical block outputs for the same row batches,
/// within 1e-5 across batchings, the same greedy generations; and the streamed path holds one converted block at most.
/// </summary>
public class StreamedWeightsTests
{
    public static TheoryData<string> Families => new()
    {
        "gpt2", "gpt2-sharded", "llama", "llama3-rope", "llama-bf16", "mistral", "gemma", "phi3", "phi3-longrope", "falcon", "falcon-newarch",
    };

    static CausalLmBase Load(string folder, WeightsMode weights, ScalarType? dtype = null, bool mapFile = true) =>
        (CausalLmBase)ModelLoader.Load(folder, new LoadOptions { Weights = weights, DType = dtype, MapFile = mapFile });

    static string InputsOf(string family) => family == "gpt2-sharded" ? "gpt2" : family; // same weights, no inputs.json

    /// <summary>The fixture batch (rows 0–2, right-padded) and each row alone, unpadded.</summary>
    static List<(long[][] Ids, long[][] Mask)> Batches(Inputs inputs)
    {
        var batches = new List<(long[][], long[][])> { (inputs.Ids, inputs.Mask) };
        for (int row = 0; row < inputs.Ids.Length; row++)
        {
            int n = inputs.Lengths[row];
            batches.Add(([inputs.Ids[row][..n]], [Enumerable.Repeat(1L, n).ToArray()]));
        }
        return batches;
    }

    /// <summary>The units of <paramref name="site"/> per batch [layers, batch, seq, units] (block outputs by default) from one layer-major call.</summary>
    static float[][] LayerMajor(CausalLmBase model, List<(long[][] Ids, long[][] Mask)> batches, UnitSite site = UnitSite.Residual)
    {
        using var scope = torch.NewDisposeScope();
        var recorded = batches.Select(_ => new Tensor[model.NumLayers]).ToArray();
        model.ForwardLayerMajor(batches.Select(b => (ToTensor(b.Ids), (Tensor?)ToTensor(b.Mask))).ToList(),
            onUnits: (layer, b, h) => recorded[b][layer] = h.clone().DetachFromDisposeScope(), site: site);
        return recorded.Select(layers =>
        {
            foreach (var t in layers) t.MoveToOtherDisposeScope(scope);
            return torch.stack(layers).contiguous().data<float>().ToArray();
        }).ToArray();
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void StreamedLayerMajorBlockOutputsEqualInMemoryForwards(string family)
    {
        var inputs = ReadInputs(InputsOf(family));
        // Weights copied into memory (as streamed blocks are): bit for bit. Weights viewed in the memory-mapped file
        // (the default in-memory load) sit at file offsets, and libtorch's one-row matmul kernels round differently
        // for differently aligned operands (measured ≤ 1.5e-6 on these fixtures): within 1e-5 there.
        using var inMemory = Load(Folder(family), WeightsMode.InMemory, mapFile: false);
        using var mapped = Load(Folder(family), WeightsMode.InMemory);
        using var streamed = Load(Folder(family), WeightsMode.Streamed);
        Assert.Null(inMemory.StreamedWeights);
        Assert.NotNull(streamed.StreamedWeights);

        var batches = Batches(inputs);
        var layerMajor = LayerMajor(streamed, batches);
        for (int b = 0; b < batches.Count; b++)
        {
            var (reference, _, _) = Run(inMemory, batches[b].Ids, batches[b].Mask, logits: false);
            Assert.True(reference.AsSpan().SequenceEqual(layerMajor[b]), $"{family}: batch {b} differs from the in-memory forward");
            var (fromMap, _, _) = Run(mapped, batches[b].Ids, batches[b].Mask, logits: false);
            double maxDiff = fromMap.Zip(layerMajor[b], (x, y) => Math.Abs(x - y)).Max();
            Assert.True(maxDiff <= 1e-5, $"{family}: batch {b} differs from the memory-mapped forward by {maxDiff}");
        }
        Assert.Equal(streamed.NumLayers, streamed.StreamedWeights!.LayerReads);

        // Across batchings (padded batch vs each row alone): within 1e-5 on real tokens. Phi-3 longrope is exempt:
        // transformers picks its rotary factors per call from the padded length, so its rows differ by design.
        if (family == "phi3-longrope") return;
        int seq = inputs.Ids[0].Length, hidden = streamed.HiddenSize, rows = inputs.Ids.Length;
        double worst = 0;
        for (int row = 0; row < rows; row++)
        {
            int n = inputs.Lengths[row];
            for (int layer = 0; layer < streamed.NumLayers; layer++)
                for (int t = 0; t < n; t++)
                    for (int u = 0; u < hidden; u++)
                    {
                        float padded = layerMajor[0][((layer * rows + row) * seq + t) * hidden + u];
                        float alone = layerMajor[1 + row][(layer * n + t) * hidden + u];
                        worst = Math.Max(worst, Math.Abs(padded - alone));
                    }
        }
        Assert.True(worst <= 1e-5, $"{family}: padded vs alone differ by {worst}");
    }

    /// <summary>The MLP site through streamed weights and the layer-major schedule, with an MLP-site lesion in place,
    /// is bit for bit what an in-memory forward of each batch gives its MLP-site hooks (the observer sees the lesioned units).</summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void StreamedLayerMajorMlpSiteEqualsInMemoryForwards(string family)
    {
        var inputs = ReadInputs(InputsOf(family));
        using var inMemory = Load(Folder(family), WeightsMode.InMemory, mapFile: false);
        using var streamed = Load(Folder(family), WeightsMode.Streamed);
        int width = streamed.UnitsPerLayer(UnitSite.Mlp);
        var mask = new long[streamed.NumLayers * width];
        for (int i = 0; i < mask.Length; i += 3) mask[i] = 1;
        var unitMask = new UnitMask(mask, streamed.NumLayers, width, "every third MLP unit") { Site = UnitSite.Mlp };
        var batches = Batches(inputs);

        float[][] recorded;
        using (new LlmLoc.Lesion.UnitLesion(streamed, unitMask))
            recorded = LayerMajor(streamed, batches, UnitSite.Mlp);
        Assert.Equal(streamed.NumLayers, streamed.StreamedWeights!.LayerReads);
        using var lesion = new LlmLoc.Lesion.UnitLesion(inMemory, unitMask);
        for (int b = 0; b < batches.Count; b++)
        {
            var layerMajor = recorded[b];
            var (reference, _, _) = Run(inMemory, batches[b].Ids, batches[b].Mask, logits: false, site: UnitSite.Mlp);
            Assert.True(reference.AsSpan().SequenceEqual(layerMajor), $"{family}: batch {b}'s MLP site differs from the in-memory forward");
            Assert.All(Enumerable.Range(0, layerMajor.Length).Where(i => mask[i / (layerMajor.Length / streamed.NumLayers) * width + i % width] == 1),
                i => Assert.Equal(0f, layerMajor[i]));
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void StreamedGreedyGenerationEqualsInMemory(string family)
    {
        var inputs = ReadInputs(InputsOf(family));
        long[] prompt = inputs.Ids[0][..inputs.Lengths[0]];
        var settings = new GenerationSettings { MaxLength = prompt.Length + 5 };
        using var inMemory = Load(Folder(family), WeightsMode.InMemory);
        using var streamed = Load(Folder(family), WeightsMode.Streamed);
        var expected = TextGenerator.Generate(inMemory, prompt, settings).Single();
        Assert.Equal(expected, TextGenerator.Generate(streamed, prompt, settings).Single());
        // Decoding streams every block at every step: the prompt pass plus four single-token steps.
        Assert.Equal(5L * streamed.NumLayers, streamed.StreamedWeights!.LayerReads);
        Assert.Equal(1, streamed.StreamedWeights.PeakMaterializedLayers);
    }

    const string TinyLlama = """
        {"model_type":"llama","hidden_size":32,"intermediate_size":64,"num_attention_heads":4,"num_key_value_heads":2,
         "num_hidden_layers":4,"vocab_size":97,"rms_norm_eps":1e-5,"initializer_range":0.1}
        """;

    /// <summary>A bf16 checkpoint written by llmloc itself: an untrained Llama built in bfloat16 and saved.</summary>
    static string Bf16Checkpoint(TempDir dir)
    {
        File.WriteAllText(dir.File("config.json"), TinyLlama);
        using var model = ModelLoader.Load(dir.Path, new LoadOptions { Untrained = true, Seed = 3, DType = ScalarType.BFloat16 });
        var saved = Path.Combine(dir.Path, "bf16");
        ModelLoader.Save(model, saved);
        using var file = SafeTensorsFile.Open(Path.Combine(saved, "model.safetensors"));
        Assert.All(file.Entries.Values, e => Assert.Equal("BF16", e.DType));
        return saved;
    }

    static List<IReadOnlyList<int>> Stimuli(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(1, 97)).ToList()).ToList();
    }

    [Fact]
    public void StreamedRecordingHoldsOneConvertedBlockAtATimeAndReadsEachOnce()
    {
        using var dir = new TempDir();
        var saved = Bf16Checkpoint(dir);
        var stimuli = Stimuli(11, seed: 5);
        using var inMemory = Load(saved, WeightsMode.InMemory);
        using var streamed = Load(saved, WeightsMode.Streamed);
        var weights = streamed.StreamedWeights!;

        // Between runs no block weight is held: the parameters are empty, the bytes stay bf16 in the file.
        var blockParameters = streamed.named_parameters().Where(p => p.name.Contains(".layers.")).ToList();
        Assert.NotEmpty(blockParameters);
        Assert.All(blockParameters, p => Assert.Equal(0, p.parameter.NumberOfElements));

        var expected = ActivationRecorder.Record(inMemory, stimuli, Pooling.Mean, batchSize: 3, padTokenId: 0);
        var actual = ActivationRecorder.Record(streamed, stimuli, Pooling.Mean, batchSize: 3, padTokenId: 0);
        Assert.Equal(expected, actual);

        // Four batches, four blocks: each block read once, one converted block (its float32 bytes) held at most.
        long largestBlockBytes = inMemory.named_parameters().Where(p => p.name.Contains(".layers."))
            .GroupBy(p => p.name.Split('.')[2]).Max(g => g.Sum(p => p.parameter.NumberOfElements * 4));
        Assert.Equal(4, weights.LayerReads);
        Assert.Equal(1, weights.PeakMaterializedLayers);
        Assert.Equal(largestBlockBytes, weights.PeakMaterializedBytes);
        Assert.Equal(0, weights.MaterializedLayers);
        Assert.All(blockParameters, p => Assert.Equal(0, p.parameter.NumberOfElements));

        // The blocks share shapes, so one set of converted buffers serves them all, in this run and the next.
        int perBlock = blockParameters.Count / streamed.NumLayers;
        Assert.Equal(perBlock, weights.BufferAllocations);
        Assert.Equal(expected, ActivationRecorder.Record(streamed, stimuli, Pooling.Mean, batchSize: 3, padTokenId: 0));
        Assert.Equal(perBlock, weights.BufferAllocations);
    }

    [Fact]
    public void StreamedScoringReadsEachBlockOncePerGroupAndEqualsInMemory()
    {
        using var dir = new TempDir();
        var saved = Bf16Checkpoint(dir);
        var inputs = Stimuli(9, seed: 7).Select(ids => new LlmLoc.Evaluation.ScoringInput([1, .. ids], 1)).ToList();
        using var inMemory = Load(saved, WeightsMode.InMemory);
        using var streamed = Load(saved, WeightsMode.Streamed);
        var weights = streamed.StreamedWeights!;

        var expected = LlmLoc.Evaluation.SequenceScorer.TokenLogProbs(inMemory, inputs, padId: 0, batchSize: 2);
        // One group (the default budget holds all five batches): every block is read once.
        var grouped = LlmLoc.Evaluation.SequenceScorer.TokenLogProbs(streamed, inputs, padId: 0, batchSize: 2);
        Assert.Equal(4, weights.LayerReads);
        // A budget below one batch: each batch is its own group, every block read per batch, same numbers.
        var perBatch = LlmLoc.Evaluation.SequenceScorer.TokenLogProbs(streamed, inputs, padId: 0, batchSize: 2, groupHiddenBytes: 1);
        Assert.Equal(4 + 5 * 4, weights.LayerReads);
        Assert.Equal(1, weights.PeakMaterializedLayers);
        Assert.Equal(expected, grouped);
        Assert.Equal(expected, perBatch);
    }

    [Fact]
    public void AShardTruncatedDuringAStreamedRunIsReportedNotFaulted()
    {
        using var dir = new TempDir();
        var saved = Bf16Checkpoint(dir);
        var path = Path.Combine(saved, "model.safetensors");
        using var streamed = Load(saved, WeightsMode.Streamed);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write)) stream.SetLength(stream.Length / 2);
        var error = Assert.Throws<LlmLocException>(() => ActivationRecorder.Record(streamed, Stimuli(3, seed: 1), Pooling.LastToken, 2, 0));
        Assert.Contains(path, error.Message);
        Assert.Contains("file ends inside tensor", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AutoModeStreamsWhenTheModelExceedsHalfTheAvailableMemory()
    {
        using var checkpoint = Checkpoint.Open(Folder("llama-bf16"));
        using var model = ModelLoader.Create(ModelConfig.Load(Folder("llama-bf16")), new LoadOptions());
        long bytes = model.parameters().Sum(p => p.NumberOfElements * 4);
        var (fits, why) = ModelLoader.ChooseWeights(model, checkpoint, WeightsMode.Auto, availableBytes: 2 * bytes);
        Assert.False(fits);
        Assert.Contains("fits", why);
        var (tooBig, whyBig) = ModelLoader.ChooseWeights(model, checkpoint, WeightsMode.Auto, availableBytes: 2 * bytes - 1);
        Assert.True(tooBig);
        Assert.Contains("--weights in-memory", whyBig);
        Assert.False(ModelLoader.ChooseWeights(model, checkpoint, WeightsMode.InMemory, availableBytes: 1).Streamed);
        Assert.True(ModelLoader.ChooseWeights(model, checkpoint, WeightsMode.Streamed, availableBytes: long.MaxValue).Streamed);
    }

    /// <summary>
    /// --dtype bfloat16 on llama-bf16: block outputs against transformers' own bf16 compute and against float32.
    /// The measured deviations are in docs/scale.md; the bound is the fixture README's ~5e-2 for bf16 compute.
    /// </summary>
    [Theory]
    [InlineData(WeightsMode.InMemory)]
    [InlineData(WeightsMode.Streamed)]
    public void Bfloat16ComputeStaysNearTransformersBfloat16(WeightsMode weights)
    {
        var inputs = ReadInputs("llama-bf16");
        using var model = Load(Folder("llama-bf16"), weights, ScalarType.BFloat16);
        var (blocks, _, _) = Run(model, inputs.Ids, inputs.Mask, logits: false);
        int seq = inputs.Ids[0].Length, hidden = model.HiddenSize, batch = inputs.Ids.Length;
        bool Real(long i) => inputs.Mask[i / hidden / seq % batch][i / hidden % seq] == 1;
        var hfBf16 = Npy.Read(Path.Combine(Folder("llama-bf16"), "hidden_blocks_bf16_compute.npy")).ToFloats();
        var fp32 = Npy.Read(Path.Combine(Folder("llama-bf16"), "hidden_blocks.npy")).ToFloats();
        AssertClose(hfBf16, blocks, "bf16 compute vs transformers bf16", Real, atol: 5e-2, rtol: 0);
        AssertClose(fp32, blocks, "bf16 compute vs float32", Real, atol: 1e-1, rtol: 0);
    }
}
