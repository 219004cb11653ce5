using LlmLoc.Models;
using LlmLoc.Numerics;
using static LlmLoc.Tests.Models.ModelFixture;

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

    static bool IsReal(Inputs inputs, long position, long row) => inputs.Mask[row][position] == 1;
}
