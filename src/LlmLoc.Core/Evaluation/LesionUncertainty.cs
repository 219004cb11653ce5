using LlmLoc.Masks;
using LlmLoc.Statistics;

namespace LlmLoc.Evaluation;

/// <summary>An accuracy with its standard error (lm-evaluation-harness's mean_stderr; null for one item) and its
/// normal 95 % interval (null with the standard error).</summary>
public sealed record ScoreEstimate(double Value, double? Stderr, Interval? Ci95)
{
    public static ScoreEstimate Of(double value, double? stderr) =>
        new(value, stderr, stderr is { } se ? Uncertainty.NormalInterval(value, se) : null);
}

/// <summary>A statistic with its 95 % percentile bootstrap interval.</summary>
public sealed record BootstrapEstimate(double Value, Interval Ci95);

/// <summary>Accuracy overall, per phenomenon and (BLiMP) per paradigm, each with its uncertainty.</summary>
public sealed record AccuracyEstimates(int Pairs, ScoreEstimate Overall, IReadOnlyDictionary<string, ScoreEstimate> ByPhenomenon,
    IReadOnlyDictionary<string, ScoreEstimate> ByParadigm);

/// <summary>One condition (none, language or random over all its masks) with the uncertainty of its scores.</summary>
public sealed record ConditionEstimates(string Condition, IReadOnlyList<int?> Seeds, AccuracyEstimates? Accuracy,
    AccuracyEstimates? Blimp, BootstrapEstimate? Perplexity);

/// <summary>
/// A network's lesion (language by default) against the random ones on one task's items (the same pairs or windows
/// under every mask). Differences are condition − none (random: the mean over its masks); the random parts are there
/// when the random masks are drawn like <see cref="Network"/>'s mask; <see cref="RandomAtLeastAsHarmful"/> counts the
/// random masks whose harm is at least the network mask's. <see cref="Network"/> is null for random masks alone.
/// </summary>
public sealed record LesionComparison(string Task, string Metric, string Harm, int Items, string? Network,
    BootstrapEstimate? NetworkMinusNone, BootstrapEstimate? RandomMinusNone, BootstrapEstimate? NetworkMinusRandom,
    IReadOnlyList<double> RandomMasksMinusNone, EmpiricalRank? RandomAtLeastAsHarmful);

/// <summary>Every estimate of one evaluate run, and the bootstrap settings behind its intervals.</summary>
public sealed record UncertaintyReport(int BootstrapSamples, uint BootstrapSeed, IReadOnlyList<ConditionEstimates> Conditions,
    IReadOnlyList<LesionComparison> Comparisons);

/// <summary>
/// Uncertainty of evaluate's scores. Per condition, a pair's score is its share of correct judgements over the
/// condition's masks (0/1 for none and language; for random the mean over its seeds). Accuracy of a set of pairs =
/// mean score, stderr = lm-evaluation-harness's mean_stderr of the scores; BLiMP per phenomenon and overall = the
/// unweighted mean over paradigms, stderr √(Σ se²) / k. Perplexity and all comparisons are bootstrapped over the
/// task's items with <c>RandomState(seed).randint(0, n, (B, n))</c>, one stream per task shared by every condition.
/// </summary>
public static class LesionUncertainty
{
    /// <summary>Harms equal to within this (relative) are ties, so float rounding in averages cannot split them.</summary>
    const double TieTolerance = 1e-12;

    public static UncertaintyReport Compute(EvaluationResult result, int samples, uint seed)
    {
        var groups = result.Conditions.GroupBy(c => c.Condition.Name).ToList();
        var perplexities = new Dictionary<string, BootstrapEstimate>();
        var comparisons = new List<LesionComparison>();

        var pairs = result.Conditions.FirstOrDefault()?.Pairs ?? [];
        if (pairs.Count > 0)
            comparisons.AddRange(CompareAccuracy("minimal pairs", result, c => c.Pairs, byParadigm: false, samples, seed));
        var blimp = result.Conditions.FirstOrDefault()?.Blimp ?? [];
        if (blimp.Count > 0)
            comparisons.AddRange(CompareAccuracy("BLiMP", result, c => c.Blimp, byParadigm: true, samples, seed));
        if (result.Conditions.FirstOrDefault()?.Windows.Count > 0)
            comparisons.AddRange(ComparePerplexity(result, samples, seed, perplexities));

        var conditions = groups.Select(g =>
        {
            var runs = g.ToList();
            return new ConditionEstimates(g.Key, runs.Select(r => r.Condition.Seed).ToList(),
                runs[0].Pairs.Count > 0 ? PooledAccuracy(runs.Select(r => r.Pairs).ToList()) : null,
                runs[0].Blimp.Count > 0 ? BlimpAccuracy(runs.Select(r => r.Blimp).ToList()) : null,
                perplexities.GetValueOrDefault(g.Key));
        }).ToList();
        return new UncertaintyReport(samples, seed, conditions, comparisons);
    }

    /// <summary>Per pair, the share of the runs that judge it correctly (the runs score the same pairs in the same order).</summary>
    static double[] PairScores(IReadOnlyList<IReadOnlyList<PairScore>> runs)
    {
        var first = runs[0];
        var scores = new double[first.Count];
        foreach (var run in runs)
        {
            if (run.Count != first.Count)
                throw new InvalidOperationException("the masks of a condition scored different pairs");
            for (int i = 0; i < run.Count; i++)
            {
                if (run[i].Pair != first[i].Pair || run[i].Paradigm != first[i].Paradigm)
                    throw new InvalidOperationException("the masks of a condition scored different pairs");
                if (run[i].Correct) scores[i] += 1;
            }
        }
        for (int i = 0; i < scores.Length; i++) scores[i] /= runs.Count;
        return scores;
    }

    static ScoreEstimate MeanOf(IEnumerable<double> scores)
    {
        double[] values = scores.ToArray();
        return ScoreEstimate.Of(values.Sum() / values.Length, Uncertainty.MeanStandardError(values));
    }

    static ScoreEstimate UnweightedMeanOf(IReadOnlyCollection<ScoreEstimate> parts) =>
        ScoreEstimate.Of(parts.Average(p => p.Value), Uncertainty.StandardErrorOfUnweightedMean(parts.Select(p => p.Stderr).ToList()));

    /// <summary>--minimal-pairs: overall and per phenomenon pooled over pairs.</summary>
    public static AccuracyEstimates PooledAccuracy(IReadOnlyList<IReadOnlyList<PairScore>> runs)
    {
        double[] scores = PairScores(runs);
        var pairs = runs[0];
        var byPhenomenon = Enumerable.Range(0, pairs.Count).Where(i => pairs[i].Phenomenon is not null)
            .GroupBy(i => pairs[i].Phenomenon!).ToDictionary(g => g.Key, g => MeanOf(g.Select(i => scores[i])));
        return new AccuracyEstimates(pairs.Count, MeanOf(scores), byPhenomenon, new Dictionary<string, ScoreEstimate>());
    }

    /// <summary>BLiMP: per paradigm pooled over its pairs; per phenomenon and overall the unweighted mean over paradigms.</summary>
    public static AccuracyEstimates BlimpAccuracy(IReadOnlyList<IReadOnlyList<PairScore>> runs)
    {
        double[] scores = PairScores(runs);
        var pairs = runs[0];
        var byParadigm = Enumerable.Range(0, pairs.Count).GroupBy(i => pairs[i].Paradigm!)
            .ToDictionary(g => g.Key, g => MeanOf(g.Select(i => scores[i])));
        var byPhenomenon = pairs.GroupBy(p => p.Phenomenon!).ToDictionary(g => g.Key,
            g => UnweightedMeanOf(g.Select(p => p.Paradigm!).Distinct().Select(p => byParadigm[p]).ToList()));
        return new AccuracyEstimates(pairs.Count, UnweightedMeanOf(byParadigm.Values.ToList()), byPhenomenon, byParadigm);
    }

    /// <summary>
    /// Accuracy differences on the same pairs. A mask's accuracy is the mean over groups (BLiMP: paradigms;
    /// --minimal-pairs: one group of all pairs) of correct / group size; a resample counts the correct pairs of each
    /// group among its draws and divides by the group's size in the data, so with equal groups (BLiMP, --limit) it is
    /// the plain accuracy of the resampled pairs. Harm = the drop in accuracy from none.
    /// </summary>
    static IEnumerable<LesionComparison> CompareAccuracy(string task, EvaluationResult result, Func<ConditionResult, IReadOnlyList<PairScore>> items,
        bool byParadigm, int samples, uint seed)
    {
        var pairs = items(result.Conditions[0]);
        var groupNames = byParadigm ? pairs.Select(p => p.Paradigm!).Distinct().ToList() : [""];
        var groupIndex = groupNames.Select((name, g) => (name, g)).ToDictionary(x => x.name, x => x.g);
        int[] group = pairs.Select(p => byParadigm ? groupIndex[p.Paradigm!] : 0).ToArray();
        var groupSize = new double[groupNames.Count];
        foreach (int g in group) groupSize[g]++;
        var correct = result.Conditions.Select(c => items(c).Select(p => p.Correct).ToArray()).ToArray();

        double Accuracy(double[] counts)
        {
            double sum = 0;
            for (int g = 0; g < counts.Length; g++) sum += counts[g] / groupSize[g];
            return sum / counts.Length;
        }
        var counts = correct.Select(_ => new double[groupNames.Count]).ToArray();
        void Count(int m, ReadOnlySpan<long> indices)
        {
            double[] count = counts[m];
            bool[] isCorrect = correct[m];
            Array.Clear(count);
            foreach (long i in indices) if (isCorrect[i]) count[group[i]]++;
        }

        var all = Enumerable.Range(0, pairs.Count).Select(i => (long)i).ToArray();
        var observed = new double[correct.Length];
        for (int m = 0; m < correct.Length; m++) { Count(m, all); observed[m] = Accuracy(counts[m]); }
        var replicates = correct.Select(_ => new double[samples]).ToArray();
        Uncertainty.ForEachResample(pairs.Count, samples, seed, (b, indices) =>
        {
            for (int m = 0; m < correct.Length; m++) { Count(m, indices); replicates[m][b] = Accuracy(counts[m]); }
        });
        string metric = byParadigm ? "overall accuracy (mean over paradigms)" : "accuracy";
        return Compare(task, metric, "drop in accuracy vs none", pairs.Count, result, observed, replicates, harmSign: -1);
    }

    /// <summary>Perplexity exp(Σ tokens·loss / Σ tokens) per mask, resampled over windows; harm = the rise from none.</summary>
    static IEnumerable<LesionComparison> ComparePerplexity(EvaluationResult result, int samples, uint seed, Dictionary<string, BootstrapEstimate> perConditionOut)
    {
        var windows0 = result.Conditions[0].Windows;
        double[] tokens = windows0.Select(w => (double)w.Tokens).ToArray();
        var series = result.Conditions.Select(c => c.Windows.Select(w => w.Tokens * w.Loss).ToArray()).Prepend(tokens).ToList();
        var sums = Uncertainty.ResampledSums(series, samples, seed);
        double totalTokens = tokens.Sum();
        var observed = result.Conditions.Select((c, m) => Math.Exp(series[m + 1].Sum() / totalTokens)).ToArray();
        var replicates = result.Conditions.Select((c, m) => sums[m + 1].Select((s, b) => Math.Exp(s / sums[0][b])).ToArray()).ToArray();

        foreach (var g in Enumerable.Range(0, result.Conditions.Count).GroupBy(m => result.Conditions[m].Condition.Name))
            perConditionOut[g.Key] = new BootstrapEstimate(g.Average(m => observed[m]),
                Uncertainty.PercentileInterval(MeanOver(replicates, g.ToList())));
        return Compare("text", "perplexity", "rise in perplexity vs none", tokens.Length, result, observed, replicates, harmSign: +1);
    }

    /// <summary>Per resample, the mean of the replicates of <paramref name="masks"/>.</summary>
    static double[] MeanOver(double[][] replicates, IReadOnlyList<int> masks)
    {
        var mean = new double[replicates[masks[0]].Length];
        for (int b = 0; b < mean.Length; b++)
        {
            double sum = 0;
            foreach (int m in masks) sum += replicates[m][b];
            mean[b] = sum / masks.Count;
        }
        return mean;
    }

    /// <summary>
    /// One comparison per lesioned network (in condition order): network − none, and when the random masks are drawn
    /// like its mask, random − none, network − random and the rank; random masks alone give random − none. Nothing
    /// without none.
    /// </summary>
    static IEnumerable<LesionComparison> Compare(string task, string metric, string harm, int items, EvaluationResult result,
        double[] observed, double[][] replicates, int harmSign)
    {
        List<int> Masks(string name) => Enumerable.Range(0, result.Conditions.Count).Where(m => result.Conditions[m].Condition.Name == name).ToList();
        var none = Masks(Networks.None);
        var random = Masks(Networks.Random);
        if (none.Count == 0) yield break;
        double Observed(List<int> masks) => masks.Average(m => observed[m]);

        BootstrapEstimate? Difference(List<int> a, List<int> b)
        {
            if (a.Count == 0 || b.Count == 0) return null;
            double[] ra = MeanOver(replicates, a), rb = MeanOver(replicates, b);
            for (int r = 0; r < ra.Length; r++) ra[r] -= rb[r];
            return new BootstrapEstimate(Observed(a) - Observed(b), Uncertainty.PercentileInterval(ra));
        }

        var perRandomMask = random.Select(m => observed[m] - Observed(none)).ToList();
        string? randomLike = random.Count > 0 ? result.Conditions[random[0]].Condition.Network : null;
        var networks = result.Conditions.Select(c => c.Condition.Name).Where(n => !Networks.IsLesionControl(n)).Distinct().ToList();
        if (networks.Count == 0 && random.Count > 0)
            yield return new LesionComparison(task, metric, harm, items, null, null, Difference(random, none), null, perRandomMask, null);
        foreach (string network in networks)
        {
            var lesion = Masks(network);
            if (network != randomLike)
            {
                yield return new LesionComparison(task, metric, harm, items, network, Difference(lesion, none), null, null, [], null);
                continue;
            }
            var rank = Uncertainty.RankAmongControls(harmSign * (Observed(lesion) - Observed(none)), perRandomMask.Select(d => harmSign * d).ToList(), TieTolerance);
            yield return new LesionComparison(task, metric, harm, items, network, Difference(lesion, none), Difference(random, none),
                Difference(lesion, random), perRandomMask, rank);
        }
    }

    /// <summary>Upper bound of --bootstrap-samples: each task costs B × items draws.</summary>
    public const int MaxBootstrapSamples = 1_000_000;

    public static void CheckFlags(int samples, int? seed)
    {
        if (seed is { } s) FlagChecks.Seed(s, "--bootstrap-seed");
        if (samples is < 1 or > MaxBootstrapSamples)
            throw new LlmLocException($"--bootstrap-samples {samples} is out of range: give 1 to {MaxBootstrapSamples} (default {Uncertainty.DefaultBootstrapSamples})", ExitCodes.Usage);
    }

    /// <summary>
    /// Every task needs at least <see cref="Uncertainty.MinimumBootstrapItems"/> items for its intervals; checked on the
    /// pairs before the model loads (windows are counted after tokenizing, by the evaluator).
    /// </summary>
    public static void CheckItemCounts(EvaluationTasks tasks, EvaluateOptions options)
    {
        int minimum = Uncertainty.MinimumBootstrapItems;
        if (options.MinimalPairsFile is { } file && tasks.Pairs.Count < minimum)
            throw new LlmLocException($"--minimal-pairs {file} holds {tasks.Pairs.Count} pair: a bootstrap interval needs at least {minimum}; add pairs to the file", ExitCodes.InputError);
        if (options.Blimp is not null && tasks.Blimp.Count < minimum)
            throw new LlmLocException($"--blimp gives {tasks.Blimp.Count} pair ({(options.Limit is { } limit ? $"--limit {limit}" : "a one-pair file")} on one paradigm): " +
                $"a bootstrap interval needs at least {minimum}; raise --limit or add paradigms", ExitCodes.Usage);
    }
}
