using LlmLoc.Evaluation;
using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Evaluation;

/// <summary>Conditions, lesions, accuracy and perplexity through <see cref="Evaluator"/> on the tiny GPT-2.</summary>
public class EvaluatorTests(TinyGpt2 gpt2) : IClassFixture<TinyGpt2>
{
    static UnitMask FixtureMask() => UnitMask.Load(Shared.Fixture("models", "gpt2", "lesion_mask.npy"));

    static readonly int[] FoxAndPeriod = [464, 2068, 7586, 21831, 13]; // "The quick brown fox" + "."

    /// <summary>log p("." | "The quick brown fox") from HF's logits after the prompt (generate.json's prompt).</summary>
    static double HfLogProbOfPeriod(string logitsFile)
    {
        float[] l = Npy.Read(Shared.Fixture("models", "gpt2", logitsFile)).ToFloats();
        double max = l.Max(v => (double)v);
        return l[13] - (max + Math.Log(l.Sum(v => Math.Exp(v - max))));
    }

    [Fact]
    public void NoneReproducesTheUnlesionedModel()
    {
        var tasks = new EvaluationTasks([new MinimalPair("The quick brown fox.", "The quick brown fox the", "x")], [], []);
        var result = Evaluator.Run("tiny", gpt2.Model, gpt2.Tokenizer, [new LesionCondition("none", null, null)], tasks, batchSize: 2, maxTokensPerWindow: null);
        Assert.Equal([50256], result.ContextIds);
        Assert.True(Math.Abs(result.Conditions[0].Pairs[0].LogpGood - gpt2.DirectLogProbs([50256, .. FoxAndPeriod], 1).Sum()) <= 1e-5);

        var plain = SequenceScorer.TokenLogProbs(gpt2.Model, [new ScoringInput(FoxAndPeriod, 4)], 50256, 1);
        Assert.True(Math.Abs(plain[0][0] - HfLogProbOfPeriod("generate_logits.npy")) <= 1e-4);
    }

    [Fact]
    public void TheLanguageConditionAppliesTheLesionAndRemovesItAfterwards()
    {
        var tasks = new EvaluationTasks([new MinimalPair("The quick brown fox.", "The quick brown fox the", "x")], [], []);
        var conditions = new[] { new LesionCondition("none", null, null), new LesionCondition("language", null, FixtureMask()), new LesionCondition("none", null, null) };
        var result = Evaluator.Run("tiny", gpt2.Model, gpt2.Tokenizer, conditions, tasks, 2, null);

        using (new UnitLesion(gpt2.Model, FixtureMask()))
        {
            // The lesion as transformers applies it (fixture lesion_logits.npy) ...
            var lesioned = SequenceScorer.TokenLogProbs(gpt2.Model, [new ScoringInput(FoxAndPeriod, 4)], 50256, 1);
            Assert.True(Math.Abs(lesioned[0][0] - HfLogProbOfPeriod("lesion_logits.npy")) <= 1e-4);
            // ... is what the language condition scored.
            Assert.True(Math.Abs(result.Conditions[1].Pairs[0].LogpGood - gpt2.DirectLogProbs([50256, .. FoxAndPeriod], 1).Sum()) <= 1e-5);
        }
        Assert.True(Math.Abs(result.Conditions[0].Pairs[0].LogpGood - result.Conditions[1].Pairs[0].LogpGood) > 1e-3);
        Assert.Equal(result.Conditions[0].Pairs[0].LogpGood, result.Conditions[2].Pairs[0].LogpGood, 12);
    }

    [Fact]
    public void TiesCountAsWrong()
    {
        var tasks = new EvaluationTasks([new MinimalPair("Dogs bark.", "Dogs bark.", "tie"), new MinimalPair("The dogs bark.", "The dogs barks the.", "other")], [], []);
        var result = Evaluator.Run("tiny", gpt2.Model, gpt2.Tokenizer, [new LesionCondition("none", null, null)], tasks, 4, null);
        var tie = result.Conditions[0].Pairs[0];
        Assert.Equal(tie.LogpGood, tie.LogpBad);
        Assert.False(tie.Correct);
        Assert.Equal(0.0, result.Conditions[0].AccuracyByPhenomenon["tie"]);

        var scores = new[] { new PairScore("none", null, 0, null, -1, -1), new PairScore("none", null, 1, null, -1, -2), new PairScore("none", null, 2, null, -3, -2) };
        var aggregate = new ConditionResult(new LesionCondition("none", null, null), scores, [], []);
        Assert.Equal(1.0 / 3, aggregate.Accuracy!.Value, 12);
    }

    [Fact]
    public void PerplexityIsExpOfTheTokenWeightedMeanLoss()
    {
        var windows = new[] { new WindowScore("none", null, 0, 0, 4, 2.0), new WindowScore("none", null, 0, 1, 1, 7.0) };
        var result = new ConditionResult(new LesionCondition("none", null, null), [], windows, []);
        Assert.Equal(5, result.Tokens);
        Assert.Equal(3.0, result.Loss!.Value, 12);
        Assert.Equal(Math.Exp(3.0), result.Perplexity!.Value, 9);
    }

    [Fact]
    public void TextLossCoversEveryTokenOnceAcrossWindows()
    {
        string text = "The language network responds to sentences more than to lists of nonwords, and units in models do too.";
        int tokenCount = gpt2.Tokenizer.Encode(text, addSpecialTokens: false).Count;
        var tasks = new EvaluationTasks([], [text], []);
        var none = new[] { new LesionCondition("none", null, null) };
        var windowed = Evaluator.Run("tiny", gpt2.Model, gpt2.Tokenizer, none, tasks, 3, maxTokensPerWindow: 6).Conditions[0];
        Assert.Equal(5, windowed.Windows.Max(w => w.Tokens));
        Assert.Equal(tokenCount, windowed.Tokens);
        Assert.Equal((tokenCount + 4) / 5, windowed.Windows.Count);

        // One window over the whole text: the loss is minus the mean of the direct log-probabilities.
        var whole = Evaluator.Run("tiny", gpt2.Model, gpt2.Tokenizer, none, tasks, 3, null).Conditions[0];
        Assert.Single(whole.Windows);
        var ids = new ScoringContext(gpt2.Tokenizer).Wrap(gpt2.Tokenizer.Encode(text, addSpecialTokens: false)).Ids;
        double loss = -gpt2.DirectLogProbs(ids, 1).Average();
        Assert.True(Math.Abs(whole.Loss!.Value - loss) <= 1e-6);
        Assert.Equal(Math.Exp(whole.Loss.Value), whole.Perplexity!.Value, 9);
    }
}
