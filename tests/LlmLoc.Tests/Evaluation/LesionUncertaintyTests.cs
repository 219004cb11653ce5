using System.Text.Json;
using LlmLoc.Evaluation;
using static LlmLoc.Tests.Statistics.UncertaintyFixtureTests;

namespace LlmLoc.Tests.Evaluation;

/// <summary>
/// evaluate's uncertainty report on synthetic scores (none, language, random × 3; BLiMP with unequal paradigms,
/// minimal pairs, text windows) against the "evaluation" case of tests/fixtures/uncertainty/uncertainty.json,
/// computed by make_uncertainty_fixtures.py from the definitions in docs/evaluate.md with numpy.
/// </summary>
public class LesionUncertaintyTests
{
    static readonly JsonElement Case = Fixture.GetProperty("evaluation");

    static EvaluationResult SyntheticResult()
    {
        var masks = Case.GetProperty("masks").EnumerateArray().ToList();
        var blimp = Case.GetProperty("blimp");
        string[] paradigm = blimp.GetProperty("paradigm").EnumerateArray().Select(e => e.GetString()!).ToArray();
        string[] blimpPhenomenon = blimp.GetProperty("phenomenon").EnumerateArray().Select(e => e.GetString()!).ToArray();
        string[] pairPhenomenon = Case.GetProperty("pairs").GetProperty("phenomenon").EnumerateArray().Select(e => e.GetString()!).ToArray();
        double[] tokens = Doubles(Case.GetProperty("windows").GetProperty("tokens"));

        // A pair is correct when logp(good) > logp(bad): −0.5 vs −1 (correct) or −0.5 vs 0 (wrong).
        static double Bad(JsonElement correct) => correct.GetInt32() == 1 ? -1.0 : 0.0;
        var conditions = masks.Select((mask, m) =>
        {
            string name = mask.GetProperty("condition").GetString()!;
            int? seed = mask.GetProperty("seed").ValueKind == JsonValueKind.Null ? null : mask.GetProperty("seed").GetInt32();
            var blimpCorrect = blimp.GetProperty("correct")[m].EnumerateArray().ToList();
            var pairCorrect = Case.GetProperty("pairs").GetProperty("correct")[m].EnumerateArray().ToList();
            double[] loss = Doubles(Case.GetProperty("windows").GetProperty("loss")[m]);
            // BLiMP pairs count within their paradigm, as the evaluator numbers them.
            var blimpScores = blimpCorrect.Select((c, i) => new PairScore(name, seed, i - Array.IndexOf(paradigm, paradigm[i]), blimpPhenomenon[i], -0.5, Bad(c), paradigm[i])).ToList();
            var pairScores = pairCorrect.Select((c, i) => new PairScore(name, seed, i, pairPhenomenon[i], -0.5, Bad(c))).ToList();
            var windows = tokens.Select((t, i) => new WindowScore(name, seed, 0, i, (int)t, loss[i])).ToList();
            // The random masks are drawn like the language mask (LesionCondition.Network).
            return new ConditionResult(new LesionCondition(name, seed, null) { Network = name == "none" ? null : "language" }, pairScores, windows, blimpScores);
        }).ToList();
        return new EvaluationResult("synthetic", 8, [], conditions);
    }

    static UncertaintyReport Report() =>
        LesionUncertainty.Compute(SyntheticResult(), Case.GetProperty("bootstrap_samples").GetInt32(), Case.GetProperty("bootstrap_seed").GetUInt32());

    static void SameEstimate(JsonElement expected, ScoreEstimate actual)
    {
        Close(expected.GetProperty("value").GetDouble(), actual.Value);
        Close(expected.GetProperty("stderr").GetDouble(), actual.Stderr!.Value);
        Close(expected.GetProperty("ci95"), actual.Ci95!.Value);
    }

    static void SameEstimates(JsonElement expected, IReadOnlyDictionary<string, ScoreEstimate> actual)
    {
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(), actual.Keys.Order());
        foreach (var p in expected.EnumerateObject()) SameEstimate(p.Value, actual[p.Name]);
    }

    [Fact]
    public void AccuracyAndPerplexityPerConditionMatchTheReference()
    {
        var report = Report();
        Assert.Equal(["none", "language", "random"], report.Conditions.Select(c => c.Condition));
        Assert.Equal([42, 43, 44], report.Conditions[2].Seeds);
        foreach (var condition in report.Conditions)
        {
            var expected = Case.GetProperty("expected").GetProperty("conditions").GetProperty(condition.Condition);
            var pairs = expected.GetProperty("accuracy");
            Assert.Equal(pairs.GetProperty("pairs").GetInt32(), condition.Accuracy!.Pairs);
            SameEstimate(pairs.GetProperty("overall"), condition.Accuracy.Overall);
            SameEstimates(pairs.GetProperty("by_phenomenon"), condition.Accuracy.ByPhenomenon);

            var blimp = expected.GetProperty("blimp");
            SameEstimate(blimp.GetProperty("overall"), condition.Blimp!.Overall);
            SameEstimates(blimp.GetProperty("by_phenomenon"), condition.Blimp.ByPhenomenon);
            SameEstimates(blimp.GetProperty("by_paradigm"), condition.Blimp.ByParadigm);

            Close(expected.GetProperty("perplexity").GetProperty("value").GetDouble(), condition.Perplexity!.Value);
            Close(expected.GetProperty("perplexity").GetProperty("ci95"), condition.Perplexity.Ci95);
        }
    }

    [Fact]
    public void LanguageVersusRandomMatchesTheReference()
    {
        var report = Report();
        Assert.Equal(["minimal pairs", "BLiMP", "text"], report.Comparisons.Select(c => c.Task));
        foreach (var comparison in report.Comparisons)
        {
            var expected = Case.GetProperty("expected").GetProperty("comparisons").GetProperty(comparison.Task);
            void Same(string key, BootstrapEstimate? actual)
            {
                Close(expected.GetProperty(key).GetProperty("value").GetDouble(), actual!.Value);
                Close(expected.GetProperty(key).GetProperty("ci95"), actual.Ci95);
            }
            Assert.Equal("language", comparison.Network);
            Same("language_minus_none", comparison.NetworkMinusNone);
            Same("random_minus_none", comparison.RandomMinusNone);
            Same("language_minus_random", comparison.NetworkMinusRandom);
            var perMask = Doubles(expected.GetProperty("random_masks_minus_none"));
            Assert.Equal(perMask.Length, comparison.RandomMasksMinusNone.Count);
            for (int i = 0; i < perMask.Length; i++) Close(perMask[i], comparison.RandomMasksMinusNone[i]);
            Assert.Equal(expected.GetProperty("k").GetInt32(), comparison.RandomAtLeastAsHarmful!.Value.K);
            Assert.Equal(expected.GetProperty("n").GetInt32(), comparison.RandomAtLeastAsHarmful.Value.N);
            Close(expected.GetProperty("p").GetDouble(), comparison.RandomAtLeastAsHarmful.Value.P);
        }
    }

    [Fact]
    public void PerRunAccuracyEqualsTheExistingSummary()
    {
        // One mask's estimate is the plain 0/1 accuracy the summary rows have always reported.
        foreach (var run in SyntheticResult().Conditions)
        {
            Assert.Equal(run.Accuracy!.Value, LesionUncertainty.PooledAccuracy([run.Pairs]).Overall.Value);
            Assert.Equal(run.BlimpAccuracy!.Value, LesionUncertainty.BlimpAccuracy([run.Blimp]).Overall.Value);
        }
    }

    [Fact]
    public void WithoutRandomMasksThereIsNoRank()
    {
        var result = SyntheticResult();
        var noRandom = result with { Conditions = result.Conditions.Where(c => c.Condition.Name != "random").ToList() };
        var report = LesionUncertainty.Compute(noRandom, 100, 0);
        Assert.Equal(3, report.Comparisons.Count);
        Assert.All(report.Comparisons, c =>
        {
            Assert.NotNull(c.NetworkMinusNone);
            Assert.Null(c.RandomMinusNone);
            Assert.Null(c.RandomAtLeastAsHarmful);
        });
        var onlyNone = result with { Conditions = result.Conditions.Take(1).ToList() };
        Assert.Empty(LesionUncertainty.Compute(onlyNone, 100, 0).Comparisons);
    }

    [Fact]
    public void RandomMasksAreComparedWithTheNetworkTheyAreDrawnLike()
    {
        // A second network (theory-of-mind) beside language: only language, whose mask the random ones are drawn like,
        // is ranked among them; theory-of-mind gets its difference from none.
        var result = SyntheticResult();
        var language = result.Conditions[1];
        var tom = language with { Condition = new LesionCondition("theory-of-mind", null, null) { Network = "theory-of-mind" } };
        var report = LesionUncertainty.Compute(result with { Conditions = [.. result.Conditions, tom] }, 200, 1);
        var blimp = report.Comparisons.Where(c => c.Task == "BLiMP").ToList();
        Assert.Equal(["language", "theory-of-mind"], blimp.Select(c => c.Network));
        Assert.NotNull(blimp[0].RandomAtLeastAsHarmful);
        Assert.Null(blimp[1].RandomMinusNone);
        Assert.Null(blimp[1].RandomAtLeastAsHarmful);
        // Same scores as language, same resamples: the same difference and interval.
        Assert.Equal(blimp[0].NetworkMinusNone, blimp[1].NetworkMinusNone);
    }
}
