namespace LlmLoc.Evaluation;

/// <summary>Mean and sample standard deviation (n − 1) of one metric over the seeds of a condition.</summary>
public readonly record struct MeanSd(double Mean, double? Sd, int Count)
{
    public static MeanSd? Of(IEnumerable<double?> values)
    {
        var v = values.Where(x => x.HasValue).Select(x => x!.Value).ToArray();
        if (v.Length == 0) return null;
        double mean = v.Average();
        double? sd = v.Length > 1 ? MathNet.Numerics.Statistics.Statistics.StandardDeviation(v) : null;
        return new MeanSd(mean, sd, v.Length);
    }
}

/// <summary>One row of the summary table: a condition aggregated over its seeds, with deltas to "none".</summary>
public sealed record ConditionSummary(string Condition, int Masks, long MaskedUnits, MeanSd? Loss, MeanSd? Perplexity, MeanSd? Accuracy,
    IReadOnlyDictionary<string, MeanSd> AccuracyByPhenomenon)
{
    /// <summary>BLiMP: the mean over paradigms, per phenomenon (linguistics_term) and per paradigm, each over the seeds.</summary>
    public MeanSd? BlimpAccuracy { get; init; }
    public IReadOnlyDictionary<string, MeanSd> BlimpByPhenomenon { get; init; } = new Dictionary<string, MeanSd>();
    public IReadOnlyDictionary<string, MeanSd> BlimpByParadigm { get; init; } = new Dictionary<string, MeanSd>();

    /// <summary>Per key, the mean ± sd over the runs that have it.</summary>
    static Dictionary<string, MeanSd> ByKey(IReadOnlyList<ConditionResult> runs, Func<ConditionResult, IReadOnlyDictionary<string, double>> values) =>
        runs.SelectMany(r => values(r).Keys).Distinct().Order(StringComparer.Ordinal)
            .ToDictionary(k => k, k => MeanSd.Of(runs.Select(r => values(r).TryGetValue(k, out var a) ? a : (double?)null))!.Value);

    /// <summary>Rows in order of first appearance of each condition name.</summary>
    public static IReadOnlyList<ConditionSummary> Summarize(EvaluationResult result) =>
        result.Conditions.GroupBy(c => c.Condition.Name).Select(g =>
        {
            var runs = g.ToList();
            return new ConditionSummary(g.Key, runs.Count, runs[0].Condition.MaskedUnits,
                MeanSd.Of(runs.Select(r => r.Loss)), MeanSd.Of(runs.Select(r => r.Perplexity)), MeanSd.Of(runs.Select(r => r.Accuracy)),
                ByKey(runs, r => r.AccuracyByPhenomenon))
            {
                BlimpAccuracy = MeanSd.Of(runs.Select(r => r.BlimpAccuracy)),
                BlimpByPhenomenon = ByKey(runs, r => r.BlimpByPhenomenon),
                BlimpByParadigm = ByKey(runs, r => r.BlimpByParadigm),
            };
        }).ToList();
}
