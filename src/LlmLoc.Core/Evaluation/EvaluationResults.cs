using LlmLoc.Masks;

namespace LlmLoc.Evaluation;

/// <summary>One lesion condition: "none", a network ("language", "theory-of-mind", …) or "random" (with the seed of
/// its random draw); <see cref="Network"/> and <see cref="MaskName"/> say which mask defines it.</summary>
public sealed record LesionCondition(string Name, int? Seed, UnitMask? Mask)
{
    public long MaskedUnits => Mask?.Count ?? 0;
    /// <summary>The network whose mask was ablated (for random: the network it is drawn like); null for none.</summary>
    public string? Network { get; init; }
    /// <summary>The mask file (cache name or --mask path) the condition's mask comes from; null for none.</summary>
    public string? MaskName { get; init; }
    /// <summary>--label, or the network and its mask settings.</summary>
    public string? Label { get; init; }

    public static LesionCondition From(Lesion.ResolvedLesionMask resolved, int? seed) =>
        new(resolved.Condition, seed, resolved.Mask) { Network = resolved.Network, MaskName = resolved.MaskName, Label = resolved.Label };
}

/// <summary>A scored minimal pair: total log-probabilities (nats) of both sentences. For BLiMP, <see cref="Pair"/>
/// counts within its paradigm and <see cref="Phenomenon"/> is the paradigm's linguistics_term.</summary>
public sealed record PairScore(string Condition, int? Seed, int Pair, string? Phenomenon, double LogpGood, double LogpBad, string? Paradigm = null)
{
    /// <summary>Strictly greater: a tie counts as wrong.</summary>
    public bool Correct => LogpGood > LogpBad;
}

/// <summary>A scored text window: number of predicted tokens and their mean negative log-likelihood (nats).</summary>
public sealed record WindowScore(string Condition, int? Seed, int Document, int Window, int Tokens, double Loss);

/// <summary>All scores of one condition, with its aggregates: --minimal-pairs in <see cref="Pairs"/>, --blimp in
/// <see cref="Blimp"/>, --text in <see cref="Windows"/>.</summary>
public sealed record ConditionResult(LesionCondition Condition, IReadOnlyList<PairScore> Pairs, IReadOnlyList<WindowScore> Windows,
    IReadOnlyList<PairScore> Blimp)
{
    public long Tokens => Windows.Sum(w => (long)w.Tokens);

    /// <summary>Token-weighted mean loss over all windows (nats per token); null without text.</summary>
    public double? Loss => Windows.Count == 0 ? null : Windows.Sum(w => w.Loss * w.Tokens) / Tokens;

    /// <summary>exp(mean loss).</summary>
    public double? Perplexity => Loss is { } l ? Math.Exp(l) : null;

    /// <summary>Share of pairs with logp(good) &gt; logp(bad); null without pairs.</summary>
    public double? Accuracy => Pairs.Count == 0 ? null : (double)Pairs.Count(p => p.Correct) / Pairs.Count;

    public IReadOnlyDictionary<string, double> AccuracyByPhenomenon =>
        Pairs.Where(p => p.Phenomenon is not null).GroupBy(p => p.Phenomenon!)
            .ToDictionary(g => g.Key, g => (double)g.Count(p => p.Correct) / g.Count());

    /// <summary>BLiMP accuracy per paradigm (UID).</summary>
    public IReadOnlyDictionary<string, double> BlimpByParadigm =>
        Blimp.GroupBy(p => p.Paradigm!).ToDictionary(g => g.Key, g => (double)g.Count(p => p.Correct) / g.Count());

    /// <summary>BLiMP accuracy per phenomenon (linguistics_term): the mean over its paradigms.</summary>
    public IReadOnlyDictionary<string, double> BlimpByPhenomenon
    {
        get
        {
            var byParadigm = BlimpByParadigm;
            return Blimp.GroupBy(p => p.Phenomenon!).ToDictionary(g => g.Key,
                g => g.Select(p => p.Paradigm!).Distinct().Average(paradigm => byParadigm[paradigm]));
        }
    }

    /// <summary>BLiMP's headline number: the mean of the paradigm accuracies; null without --blimp.</summary>
    public double? BlimpAccuracy => Blimp.Count == 0 ? null : BlimpByParadigm.Values.Average();
}

/// <summary>What one evaluate run measured, plus the settings that shaped it.</summary>
public sealed record EvaluationResult(string ModelName, int WindowSize, int[] ContextIds, IReadOnlyList<ConditionResult> Conditions);
