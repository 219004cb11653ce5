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
