using LlmLoc.Masks;
using System.Text.Json.Nodes;
using LlmLoc.Models;
using LlmLoc.Models.SafeTensors;
using LlmLoc.Numerics;
using TorchSharp;
using static LlmLoc.Tests.Infrastructure.ModelFixture;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Models;

/// <summary>Every fixture checkpoint reproduces transformers 4.44.2's block outputs and logits.</summary>
public class FixtureModelTests
{
    public static TheoryData<string> Names => new(new[] { "gpt2", "llama", "llama3-rope", "llama-bf16", "mistral", "gemma", "phi3", "phi3-longrope", "falcon", "falcon-newarch" }.Concat(MoreFamilies));

    /// <summary>Both attention paths: the plain math used for short inputs on the CPU, and SDPA used for long ones.</summary>
    public static TheoryData<string, bool> NamesAndPaths()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in Names) { data.Add(name, false); data.Add(name, true); }
        return data;
    }

    [Theory]
    [MemberData(nameof(NamesAndPaths))]
    public void PaddedBatchMatchesBlockOutputsAndLogits(string name, bool sdpa)
    {
        LlmLoc.Models.Common.AttentionCore.EagerMaxKeysOverride.Value = sdpa ? 0 : long.MaxValue;
        var inputs = ReadInputs(name);
        using var model = ModelLoader.Load(Folder(name), new LoadOptions());
        var (blocks, logits, logitShape) = Run(model, inputs.Ids, inputs.Mask);

        var expectedBlocks = Npy.Read(Path.Combine(Folder(name), "hidden_blocks.npy"));
        int batch = inputs.Ids.Length, seq = inputs.Ids[0].Length, hidden = model.HiddenSize;
        Assert.Equal(new[] { model.NumLayers, batch, seq, hidden }, expectedBlocks.Shape);
        AssertClose(expectedBlocks.ToFloats(), blocks, $"{name} hidden_blocks", i => IsReal(inputs, i / hidden % seq, i / hidden / seq % batch));

        var expectedLogits = Npy.Read(Path.Combine(Folder(name), "logits.npy"));
        long vocab = logitShape[2];
        if (expectedLogits.Shape.Length == 2)
        {
            // gpt2: only the last real token of each sequence was stored.
            var last = new float[batch * vocab];
            for (int b = 0; b < batch; b++)
                Array.Copy(logits!, (b * seq + inputs.Lengths[b] - 1) * vocab, last, b * vocab, vocab);
            AssertClose(expectedLogits.ToFloats(), last, $"{name} logits");
        }
        else
        {
            AssertClose(expectedLogits.ToFloats(), logits!, $"{name} logits", i => IsReal(inputs, i / vocab % seq, i / vocab / seq));
        }
    }

    /// <summary>
    /// <c>--site mlp</c>: the input of every block's MLP output projection equals transformers 4.44.2's (a forward
    /// pre-hook on c_proj / dense_4h_to_h / down_proj: mlp_post_blocks.npy, MLP_SITE.json) on the padded batch, real
    /// tokens only, at the tolerance of the block outputs; its width is what the registry reads from config.json.
    /// </summary>
    [Theory]
    [MemberData(nameof(NamesAndPaths))]
    public void MlpSiteMatchesTheOutputProjectionInputs(string name, bool sdpa)
    {
        LlmLoc.Models.Common.AttentionCore.EagerMaxKeysOverride.Value = sdpa ? 0 : long.MaxValue;
        var inputs = ReadInputs(name);
        using var model = ModelLoader.Load(Folder(name), new LoadOptions());
        var (units, _, _) = Run(model, inputs.Ids, inputs.Mask, logits: false, site: UnitSite.Mlp);

        var expected = Npy.Read(Path.Combine(Folder(name), "mlp_post_blocks.npy"));
        int batch = inputs.Ids.Length, seq = inputs.Ids[0].Length, width = model.UnitsPerLayer(UnitSite.Mlp);
        Assert.Equal(new[] { model.NumLayers, batch, seq, width }, expected.Shape);
        Assert.Equal(width, ModelRegistry.UnitsPerLayer(ModelConfig.Load(Folder(name)), UnitSite.Mlp));
        AssertClose(expected.ToFloats(), units, $"{name} mlp_post_blocks", i => IsReal(inputs, i / width % seq, i / width / seq % batch));
    }

    [Theory]
    [MemberData(nameof(NamesAndPaths))]
    public void EachSequenceAloneMatchesUnpaddedFixtures(string name, bool sdpa)
    {
        LlmLoc.Models.Common.AttentionCore.EagerMaxKeysOverride.Value = sdpa ? 0 : long.MaxValue;
        var inputs = ReadInputs(name);
        using var model = ModelLoader.Load(Folder(name), new LoadOptions());
        var expectedLast = Npy.Read(Path.Combine(Folder(name), "logits_unpadded_last.npy")).ToFloats();
        long vocab = expectedLast.Length / inputs.Ids.Length;
        for (int i = 0; i < inputs.Ids.Length; i++)
        {
            var ids = new[] { inputs.Ids[i][..inputs.Lengths[i]] };
            var (blocks, logits, _) = Run(model, ids, null);
            var expected = Npy.Read(Path.Combine(Folder(name), $"hidden_blocks_unpadded_{i}.npy")).ToFloats();
            AssertClose(expected, blocks, $"{name} hidden_blocks_unpadded_{i}");
            AssertClose(expectedLast[(int)(i * vocab)..(int)((i + 1) * vocab)], logits![^(int)vocab..], $"{name} logits_unpadded_last[{i}]");
        }
    }

    [Fact]
    public void ShardedCheckpointGivesExactlyTheSameOutputs()
    {
        var inputs = ReadInputs("gpt2");
        using var single = ModelLoader.Load(Folder("gpt2"), new LoadOptions());
        using var sharded = ModelLoader.Load(Folder("gpt2-sharded"), new LoadOptions());
        var a = Run(single, inputs.Ids, inputs.Mask);
        var b = Run(sharded, inputs.Ids, inputs.Mask);
        Assert.Equal(a.Blocks, b.Blocks);
        Assert.Equal(a.Logits, b.Logits);
    }

    /// <summary>
    /// The recorder's pooled block outputs (the padded batch of the three fixture sequences, batch size 3) equal
    /// localize.py's pooling of the batch-1 runs: pooled_last_token.npy / pooled_mean.npy [layers, batch, hidden].
    /// phi3-longrope runs one stimulus per batch: longrope picks its factors from the longest sequence of the call,
    /// so in transformers too a padded batch differs from the batch-1 runs there (fixtures README).
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void RecorderPoolingMatchesPooledFixtures(string name)
    {
        var inputs = ReadInputs(name);
        using var model = ModelLoader.Load(Folder(name), new LoadOptions());
        var stimuli = inputs.Ids.Select((row, i) => (IReadOnlyList<int>)row[..inputs.Lengths[i]].Select(v => (int)v).ToArray()).ToList();
        int layers = model.NumLayers, hidden = model.HiddenSize, batch = stimuli.Count;
        foreach (var (pooling, file) in new[] { (LlmLoc.Masks.Pooling.LastToken, "pooled_last_token.npy"), (LlmLoc.Masks.Pooling.Mean, "pooled_mean.npy") })
        {
            var recorded = LlmLoc.Recording.ActivationRecorder.Record(model, stimuli, pooling, batchSize: name == "phi3-longrope" ? 1 : batch, padTokenId: 0);
            var expected = Npy.Read(Path.Combine(Folder(name), file));
            Assert.Equal([layers, batch, hidden], expected.Shape);
            // [stimuli × layers × hidden] → [layers × stimuli × hidden], the fixture's order.
            var actual = new float[recorded.Length];
            for (int b = 0; b < batch; b++)
                for (int l = 0; l < layers; l++)
                    for (int u = 0; u < hidden; u++)
                        actual[((long)l * batch + b) * hidden + u] = (float)recorded[((long)b * layers + l) * hidden + u];
            AssertClose(expected.ToFloats(), actual, $"{name} {file}");
        }
    }

    public static TheoryData<string> MoreNames => new(MoreFamilies);

    /// <summary>
    /// A copy of a models-more checkpoint stored in bfloat16 and split over two shards (index + weight_map, as
    /// save_pretrained writes them): loaded on the CPU it computes in float32 from the bf16 values, so it must equal
    /// the original model with every weight rounded to bf16, bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(MoreNames))]
    public void Bf16ShardedCopyEqualsTheRoundedModel(string name)
    {
        var inputs = ReadInputs(name);
        using var dir = new TempDir();
        using var rounded = ModelLoader.Load(Folder(name), new LoadOptions { MapFile = false });
        var parameters = ((nn.Module)rounded).named_parameters().ToList();
        using (torch.no_grad())
            foreach (var (_, p) in parameters) p.copy_(p.to(ScalarType.BFloat16));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder(name), "config.json")))!.AsObject();
        config["torch_dtype"] = "bfloat16";
        File.WriteAllText(dir.File("config.json"), config.ToJsonString());
        var shards = new[] { "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors" };
        var weightMap = new JsonObject();
        for (int shard = 0; shard < 2; shard++)
        {
            var mine = parameters.Where((_, i) => i % 2 == shard).ToList();
            SafeTensorsWriter.Write(dir.File(shards[shard]), mine.Select(p => (p.name, p.parameter.to(ScalarType.BFloat16))));
            foreach (var (n, _) in mine) weightMap[n] = shards[shard];
        }
        File.WriteAllText(dir.File("model.safetensors.index.json"), new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = weightMap }.ToJsonString());

        using var copy = ModelLoader.Load(dir.Path, new LoadOptions());
        Assert.All(((nn.Module)copy).named_parameters(), p => Assert.Equal(ScalarType.Float32, p.parameter.dtype));
        var a = Run(rounded, inputs.Ids, inputs.Mask);
        var b = Run(copy, inputs.Ids, inputs.Mask);
        Assert.Equal(a.Blocks, b.Blocks);
        Assert.Equal(a.Logits, b.Logits);
    }

    /// <summary>Computing in bfloat16 (as on a GPU) stays near the float32 reference: 2 % of the largest activation.</summary>
    [Theory]
    [MemberData(nameof(MoreNames))]
    public void Bf16ComputeStaysNearTheReference(string name)
    {
        var inputs = ReadInputs(name);
        using var model = ModelLoader.Load(Folder(name), new LoadOptions { DType = ScalarType.BFloat16 });
        var (blocks, _, _) = Run(model, inputs.Ids, inputs.Mask);
        var expected = Npy.Read(Path.Combine(Folder(name), "hidden_blocks.npy")).ToFloats();
        double scale = expected.Max(Math.Abs);
        int seq = inputs.Ids[0].Length, hidden = model.HiddenSize;
        AssertClose(expected, blocks, $"{name} bf16 hidden_blocks", i => IsReal(inputs, i / hidden % seq, i / hidden / seq % inputs.Ids.Length), atol: 0.02 * scale, rtol: 0);
    }

    [Fact]
    public void SkippingTheLmHeadReturnsNullButStillRunsTheBlocks()
    {
        var inputs = ReadInputs("llama");
        using var model = ModelLoader.Load(Folder("llama"), new LoadOptions());
        var (blocks, logits, _) = Run(model, inputs.Ids, inputs.Mask, logits: false);
        Assert.Null(logits);
        var expected = Npy.Read(Path.Combine(Folder("llama"), "hidden_blocks.npy")).ToFloats();
        int seq = inputs.Ids[0].Length;
        AssertClose(expected, blocks, "llama hidden_blocks (no LM head)", i => IsReal(inputs, i / 64 % seq, i / 64 / seq % 3));
    }

    /// <summary>The recorder at the MLP site pools mlp_post_blocks.npy: last real token and mean of real tokens per row.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void RecorderAtTheMlpSitePoolsTheFixtureActivations(string name)
    {
        var inputs = ReadInputs(name);
        using var model = ModelLoader.Load(Folder(name), new LoadOptions());
        var stimuli = inputs.Ids.Select((row, i) => (IReadOnlyList<int>)row[..inputs.Lengths[i]].Select(v => (int)v).ToArray()).ToList();
        int layers = model.NumLayers, width = model.UnitsPerLayer(UnitSite.Mlp), batch = stimuli.Count, seq = inputs.Ids[0].Length;
        var site = Npy.Read(Path.Combine(Folder(name), "mlp_post_blocks.npy")).ToFloats();
        foreach (var pooling in new[] { LlmLoc.Masks.Pooling.LastToken, LlmLoc.Masks.Pooling.Mean })
        {
            // One padded batch, as the fixture's (phi3-longrope's rotary factors depend on the padded length).
            var recorded = LlmLoc.Recording.ActivationRecorder.Record(model, stimuli, pooling, batchSize: batch, padTokenId: 0, site: UnitSite.Mlp);
            Assert.Equal((long)batch * layers * width, recorded.Length);
            var expected = new float[recorded.Length];
            var actual = new float[recorded.Length];
            for (int b = 0; b < batch; b++)
                for (int l = 0; l < layers; l++)
                    for (int u = 0; u < width; u++)
                    {
                        double Unit(int t) => site[(((long)l * batch + b) * seq + t) * width + u];
                        int n = inputs.Lengths[b];
                        long at = ((long)b * layers + l) * width + u;
                        expected[at] = (float)(pooling == LlmLoc.Masks.Pooling.LastToken ? Unit(n - 1) : Enumerable.Range(0, n).Sum(Unit) / n);
                        actual[at] = (float)recorded[at];
                    }
            AssertClose(expected, actual, $"{name} {pooling} at the MLP site");
        }
    }

    static bool IsReal(Inputs inputs, long position, long row) => inputs.Mask[row][position] == 1;
}
