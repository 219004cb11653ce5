using TorchSharp;
using LlmLoc.Evaluation;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Evaluation;

/// <summary>Batched log-probabilities against a direct computation from the model's logits, and against HF's logits.</summary>
public class SequenceScorerTests(TinyGpt2 gpt2) : IClassFixture<TinyGpt2>
{
    static readonly string[] Sentences =
    [
        "The keys to the cabinet are on the table.",
        "Who did you see?",
        "Dogs bark.",
        "A considerably longer sentence, with punctuation, numbers like 42 and several clauses that go on.",
    ];

    IReadOnlyList<ScoringInput> Inputs()
    {
        var context = new ScoringContext(gpt2.Tokenizer);
        return Sentences.Select(s => context.Wrap(gpt2.Tokenizer.Encode(s, addSpecialTokens: false))).ToList();
    }

    [Fact]
    public void Gpt2ScoresTheFirstTokenAfterEndOfText()
    {
        // GPT-2's tokenizer adds no BOS, so <|endoftext|> (50256) is the context, and every sentence token is scored.
        var context = new ScoringContext(gpt2.Tokenizer);
        Assert.Equal([50256], context.ContextIds);
        var input = context.Wrap([464, 2068]);
        Assert.Equal([50256, 464, 2068], input.Ids);
        Assert.Equal(2, input.ScoredCount);
    }

    [Fact]
    public void BatchedLogProbsEqualTheDirectComputation()
    {
        var inputs = Inputs();
        var batched = SequenceScorer.TokenLogProbs(gpt2.Model, inputs, gpt2.Tokenizer.PadTokenId, batchSize: 3);
        var single = SequenceScorer.TokenLogProbs(gpt2.Model, inputs, gpt2.Tokenizer.PadTokenId, batchSize: 1);
        for (int i = 0; i < inputs.Count; i++)
        {
            double[] direct = gpt2.DirectLogProbs(inputs[i].Ids, inputs[i].FirstScored);
            Assert.Equal(inputs[i].Ids.Length - 1, batched[i].Length);
            for (int t = 0; t < direct.Length; t++)
            {
                Assert.True(Math.Abs(direct[t] - batched[i][t]) <= 1e-5, $"sentence {i} token {t}: direct {direct[t]} batched {batched[i][t]}");
                Assert.True(Math.Abs(single[i][t] - batched[i][t]) <= 1e-5, $"sentence {i} token {t}: single {single[i][t]} batched {batched[i][t]}");
            }
            Assert.True(Math.Abs(direct.Sum() - batched[i].Sum()) <= 1e-5);
            Assert.All(direct, lp => Assert.True(lp < 0));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void ChunkedLmHeadEqualsTheFullLogitLogSoftmax(int positionsPerChunk)
    {
        // A 200-token window (most of the fixture's 256 positions), cut into LM-head chunks whose boundaries fall
        // inside, at and past the scored range: every log-probability within 1e-6 relative of the float64 log_softmax
        // of the full logits.
        var random = new Random(11);
        int[] ids = Enumerable.Range(0, 200).Select(_ => random.Next(gpt2.Tokenizer.VocabSize)).ToArray();
        var inputs = new[] { new ScoringInput(ids, 1), new ScoringInput(ids[..50], 20), new ScoringInput(ids[..8], 7) };
        var scored = SequenceScorer.TokenLogProbs(gpt2.Model, inputs, gpt2.Tokenizer.PadTokenId, batchSize: 3, positionsPerChunk: positionsPerChunk);
        foreach (var (input, logProbs) in inputs.Zip(scored))
        {
            double[] direct = gpt2.DirectLogProbs(input.Ids, input.FirstScored);
            Assert.Equal(direct.Length, logProbs.Length);
            for (int t = 0; t < direct.Length; t++)
                Assert.True(Math.Abs(direct[t] - logProbs[t]) <= 1e-6 * Math.Abs(direct[t]), $"token {t}: direct {direct[t]:R} chunked {logProbs[t]:R}");
        }
    }

    [Fact]
    public void Float32LogSumExpKeepsConfidentTokensToRelativePrecision()
    {
        // Rows where one token is ever more certain (log p from -0.25 down to about -3e-14) must keep their digits; a
        // float32 log-sum-exp subtracted in float32 would give 0 or an absolute error of ~1e-7 there. The reference is
        // float64 with the max left out of the sum (a float64 log_softmax adds each e^(x−m) to 1 and loses them too).
        var random = new Random(5);
        int rows = 6, vocab = 50_000;
        var values = new float[rows * vocab];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 8 - 4);
        for (int r = 0; r < rows; r++) values[r * vocab + 17 * r] = 14f + 6f * r; // the row's max
        long[] targets = Enumerable.Range(0, rows).Select(r => (long)(r % 2 == 0 ? 17 * r : 3)).ToArray();
        double[] expected = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double max = values[r * vocab + 17 * r], rest = 0;
            for (int j = 0; j < vocab; j++)
                if (j != 17 * r) rest += Math.Exp(values[r * vocab + j] - max);
            expected[r] = values[r * vocab + targets[r]] - max - torch.tensor(rest).log1p().item<double>();
        }
        double[] actual = SequenceScorer.LogProbsOf(torch.tensor(values, [rows, vocab]), torch.tensor(targets));
        for (int r = 0; r < rows; r++)
            Assert.True(Math.Abs(expected[r] - actual[r]) <= 1e-6 * Math.Abs(expected[r]), $"row {r}: float64 {expected[r]:R} chunk {actual[r]:R}");
    }

    [Fact]
    public void LogProbOfANextTokenMatchesTransformersLogits()
    {
        // generate_logits.npy = HF's logits after the prompt "The quick brown fox": log_softmax of them at any
        // token must equal the scorer's log p(token | prompt).
        int[] prompt = [464, 2068, 7586, 21831];
        float[] hf = Npy.Read(Shared.Fixture("models", "gpt2", "generate_logits.npy")).ToFloats();
        double max = hf.Max(v => (double)v);
        double logZ = max + Math.Log(hf.Sum(v => Math.Exp(v - max)));
        foreach (int token in new[] { 13, 262, 50256, 1000 })
        {
            var scored = SequenceScorer.TokenLogProbs(gpt2.Model, [new ScoringInput([.. prompt, token], prompt.Length)], 50256, 4);
            Assert.Single(scored[0]);
            Assert.True(Math.Abs(hf[token] - logZ - scored[0][0]) <= 1e-4, $"token {token}: HF {hf[token] - logZ} scorer {scored[0][0]}");
        }
    }
}
