using LlmLoc.Generation;

namespace LlmLoc.Tests.Generation;

public class TextGeneratorTests
{
    const int Vocab = 16;
    static readonly long[] Prompt = [3, 7, 1, 12, 5];

    /// <summary>The greedy chain computed by hand from the fake's table: argmax of the last token's row.</summary>
    static List<long> GreedyChain(FakeLanguageModel model, long[] prompt, int total)
    {
        var ids = prompt.ToList();
        while (ids.Count < total)
        {
            var row = model.LogitsFor(0, ids[^1]);
            ids.Add(Array.IndexOf(row, row.Max()));
        }
        return ids;
    }

    [Fact]
    public void GreedyPicksTheArgmaxAndUsesTheCacheOneTokenPerStep()
    {
        var model = FakeLanguageModel.RandomTable(Vocab, seed: 1);
        var result = TextGenerator.Generate(model, Prompt, new GenerationSettings { MaxLength = 12 });

        var row = Assert.Single(result);
        Assert.Equal(GreedyChain(model, Prompt, 12), row);
        // prefill of 5 tokens, then one call per further token; the token reaching MaxLength needs no forward.
        Assert.Equal([[1L, 5L], .. Enumerable.Repeat(new[] { 1L, 1L }, 6)], model.Calls);
        Assert.Single(model.Caches);
    }

    [Fact]
    public void GreedyTiesGoToTheFirstMaximum()
    {
        var model = new FakeLanguageModel(Vocab, (_, _) => [0, 1, 4, 2, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var row = TextGenerator.Generate(model, [0], new GenerationSettings { MaxLength = 4 }).Single();
        Assert.Equal([0L, 2, 2, 2], row);
    }

    [Fact]
    public void MaxLengthCountsThePromptAndAtLeastOneTokenIsGenerated()
    {
        var model = FakeLanguageModel.RandomTable(Vocab, seed: 2);
        Assert.Equal(8, TextGenerator.Generate(model, Prompt, new GenerationSettings { MaxLength = 8 }).Single().Length);
        // transformers only warns when the prompt already reaches max_length and still generates one token.
        Assert.Equal(6, TextGenerator.Generate(model, Prompt, new GenerationSettings { MaxLength = 5 }).Single().Length);
        Assert.Equal(6, TextGenerator.Generate(model, Prompt, new GenerationSettings { MaxLength = 2 }).Single().Length);
    }

    [Fact]
    public void EosStopsGenerationEarlyWhenEverySequenceFinished()
    {
        var model = FakeLanguageModel.RandomTable(Vocab, seed: 3);
        var chain = GreedyChain(model, Prompt, 20);
        // choose the third generated token as EOS, unless it already appeared earlier in the generated part
        long eos = chain[Prompt.Length + 2];
        int firstEos = chain.IndexOf(eos, Prompt.Length);
        var settings = new GenerationSettings { MaxLength = 20, EosTokenIds = [99, eos] };
        var row = TextGenerator.Generate(model, Prompt, settings).Single();
        Assert.Equal(chain.Take(firstEos + 1), row);
        Assert.True(row.Length < 20);
    }

    /// <summary>Row 0 heads for EOS (token 2) after two tokens; row 1 never emits it.</summary>
    static FakeLanguageModel TwoRowModel() => new(Vocab, (row, token) =>
    {
        var logits = new float[Vocab];
        long target = row == 0 ? token switch { 9 => 10, 10 => 2, _ => 9 } : (token + 1) % Vocab == 2 ? 3 : (token + 1) % Vocab;
        logits[target] = 10;
        return logits;
    });

    [Fact]
    public void FinishedSequencesArePaddedUntilAllFinishOrMaxLength()
    {
        var model = TwoRowModel();
        // top_k 1 makes sampling deterministic; two return sequences give two rows.
        var settings = new GenerationSettings
        {
            MaxLength = 10, DoSample = true, TopK = 1, NumReturnSequences = 2, EosTokenIds = [2], PadTokenId = 15,
        };
        var rows = TextGenerator.Generate(model, [0, 1], settings);
        Assert.Equal(2, rows.Length);
        Assert.Equal([0L, 1, 9, 10, 2, 15, 15, 15, 15, 15], rows[0]);
        Assert.Equal([0L, 1, 3, 4, 5, 6, 7, 8, 9, 10], rows[1]);
        Assert.All(model.Calls.Skip(1), c => Assert.Equal([2L, 1L], c));
        Assert.Equal([2L, 2L], model.Calls[0]);
    }

    [Fact]
    public void PadDefaultsToTheFirstEos()
    {
        var settings = new GenerationSettings
        {
            MaxLength = 8, DoSample = true, TopK = 1, NumReturnSequences = 2, EosTokenIds = [2, 14],
        };
        var rows = TextGenerator.Generate(TwoRowModel(), [0, 1], settings);
        Assert.Equal([0L, 1, 9, 10, 2, 2, 2, 2], rows[0]);
    }

    [Fact]
    public void SamplingWithTopK1EqualsGreedy()
    {
        var model = FakeLanguageModel.RandomTable(Vocab, seed: 4);
        var greedy = TextGenerator.Generate(model, Prompt, new GenerationSettings { MaxLength = 15 }).Single();
        var sampled = TextGenerator.Generate(model, Prompt,
            new GenerationSettings { MaxLength = 15, DoSample = true, Temperature = 0.7, TopK = 1, NumReturnSequences = 3, Seed = 5 });
        Assert.Equal(3, sampled.Length);
        Assert.All(sampled, row => Assert.Equal(greedy, row));
    }

    [Fact]
    public void SameSeedSameSamplesDifferentSeedDifferentSamples()
    {
        // A flat distribution over 1000 tokens: every draw is pure generator output.
        var model = new FakeLanguageModel(1000, (_, _) => new float[1000]);
        long[][] Run(long seed) => TextGenerator.Generate(model, [0], new GenerationSettings
        {
            MaxLength = 12, DoSample = true, TopK = 0, NumReturnSequences = 3, Seed = seed,
        });
        var a = Run(42);
        Assert.Equal(a, Run(42));
        Assert.NotEqual(a, Run(43));
        Assert.NotEqual(a[0], a[1]); // rows draw independently
        Assert.All(a, row => Assert.Equal(12, row.Length));
    }

    [Fact]
    public void SamplingFollowsTheWarpedDistribution()
    {
        // Logits ln(1), ln(3) for tokens 0 and 1, everything else removed by top-k 2: P(1) = 0.75.
        var logits = Enumerable.Repeat(-50f, Vocab).ToArray();
        logits[0] = 0;
        logits[1] = MathF.Log(3);
        var model = new FakeLanguageModel(Vocab, (_, _) => logits);
        var rows = TextGenerator.Generate(model, [5], new GenerationSettings
        {
            MaxLength = 101, DoSample = true, TopK = 2, NumReturnSequences = 20, Seed = 7,
        });
        var generated = rows.SelectMany(r => r.Skip(1)).ToArray();
        Assert.All(generated, t => Assert.InRange(t, 0, 1));
        double share = generated.Count(t => t == 1) / (double)generated.Length; // 2000 draws, sd ~0.01
        Assert.InRange(share, 0.72, 0.78);
    }

    [Fact]
    public void GreedyWithSeveralSequencesIsRejectedAsTransformersDoes()
    {
        var model = FakeLanguageModel.RandomTable(Vocab, seed: 6);
        var e = Assert.Throws<LlmLocException>(() =>
            TextGenerator.Generate(model, Prompt, new GenerationSettings { NumReturnSequences = 2 }));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Throws<LlmLocException>(() => TextGenerator.Generate(model, [], new GenerationSettings()));
    }

    [Fact]
    public void PadInThePromptIsMaskedWhenPadIsNotEos()
    {
        var model = FakeLanguageModel.RandomTable(Vocab, seed: 8);
        TextGenerator.Generate(model, [4, 0, 6], new GenerationSettings { MaxLength = 6, EosTokenIds = [1], PadTokenId = 0 });
        // transformers infers mask = ids != pad; the prefill passes it, the cache remembers it, new tokens are real
        Assert.Equal([[1L, 0, 1], null, null], model.MaskRows);
    }

    [Fact]
    public void NoMaskWhenThePromptHasNoPadOrPadIsEos()
    {
        var model = FakeLanguageModel.RandomTable(Vocab, seed: 9);
        TextGenerator.Generate(model, [4, 2, 6], new GenerationSettings { MaxLength = 5, EosTokenIds = [2] });
        TextGenerator.Generate(model, [4, 0, 6], new GenerationSettings { MaxLength = 5, EosTokenIds = [2], PadTokenId = 3 });
        Assert.All(model.MaskRows, Assert.Null);
    }
}
