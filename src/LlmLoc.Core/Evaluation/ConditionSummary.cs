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

/// <summary>One row of the summary table: a condition's masks, and its loss and perplexity as the mean over its masks
/// (the accuracies and their uncertainty come from <see cref="LesionUncertainty"/>).</summary>
public sealed record ConditionSummary(string Condition, int Masks, long MaskedUnits, MeanSd? Loss, MeanSd? Perplexity)
{
    /// <summary>Rows in order of first appearance of each condition name.</summary>
    public static IReadOnlyList<ConditionSummary> Summarize(EvaluationResult result) =>
        result.Conditions.GroupBy(c => c.Condition.Name).Select(g =>
        {
            var runs = g.ToList();
            return new ConditionSummary(g.Key, runs.Count, runs[0].Condition.MaskedUnits,
                MeanSd.Of(runs.Select(r => r.Loss)), MeanSd.Of(runs.Select(r => r.Perplexity)));
        }).ToList();
}
