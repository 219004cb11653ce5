using LlmLoc.Evaluation.Blimp;
using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Sessions;

namespace LlmLoc.Evaluation;

/// <summary>Everything <c>llmloc evaluate</c> takes.</summary>
public sealed record EvaluateOptions
{
    public required ModelSpec Model { get; init; }
    public MaskSpec Mask { get; init; } = new();
    /// <summary>The conditions, in order: none, random, or networks whose masks are ablated; null: none, the mask's
    /// network (language, or the custom localizer --localizer names), random.</summary>
    public IReadOnlyList<string>? Networks { get; init; }
    /// <summary>--random-like; null: <see cref="RandomLikeNetwork"/>'s rule.</summary>
    public string? RandomLike { get; init; }
    public int RandomSeeds { get; init; } = Defaults.RandomSeeds;
    public int BatchSize { get; init; } = 8;
    public int? MaxTokensPerWindow { get; init; }
    public string? TextFile { get; init; }
    /// <summary>A JSONL path or <see cref="MinimalPairs.BuiltinName"/>.</summary>
    public string? MinimalPairsFile { get; init; }
    /// <summary>BLiMP paradigms to score (empty or "all" = all 67); null = no BLiMP.</summary>
    public IReadOnlyList<string>? Blimp { get; init; }
    /// <summary>--blimp-dir: a copy of BLiMP's data/*.jsonl (default: $LLMLOC_BLIMP, else ./blimp, fetched once).</summary>
    public string? BlimpDir { get; init; }
    /// <summary>--limit: the first N pairs of each BLiMP paradigm.</summary>
    public int? Limit { get; init; }
    public string? JsonOut { get; init; }
    /// <summary>--table: per-pair and per-window rows (.csv or .parquet).</summary>
    public string? TableOut { get; init; }
    /// <summary>--bootstrap-samples: resamples behind every bootstrap interval.</summary>
    public int BootstrapSamples { get; init; } = Statistics.Uncertainty.DefaultBootstrapSamples;
    /// <summary>--bootstrap-seed: seeds the resamples (null: --seed).</summary>
    public int? BootstrapSeed { get; init; }
    public uint ResolvedBootstrapSeed => (uint)(BootstrapSeed ?? Model.Seed);

    /// <summary>The conditions evaluated, in order.</summary>
    public IReadOnlyList<string> Conditions => Networks ?? Masks.Networks.EvaluationOrder(Mask.Network);

    /// <summary>Checks what can be checked before a model is loaded; throws a one-line usage error.</summary>
    public void Validate()
    {
        if (TextFile is null && MinimalPairsFile is null && Blimp is null)
            throw new LlmLocException("nothing to evaluate: give --blimp [PARADIGM...|all], --minimal-pairs [FILE.jsonl|builtin] and/or --text FILE", ExitCodes.Usage);
        if (Blimp is null && (BlimpDir is not null || Limit is not null))
            throw new LlmLocException($"{(BlimpDir is not null ? "--blimp-dir" : "--limit")} applies to BLiMP: add --blimp [PARADIGM...|all]", ExitCodes.Usage);
        if (Blimp is not null) BlimpParadigms.Select(Blimp); // throws on an unknown paradigm name
        if (Limit is { } limit) FlagChecks.AtLeastOne("--limit", limit);
        var conditions = Conditions;
        if (conditions.Count == 0)
            throw new LlmLocException("no condition to evaluate: give --networks with some of none, language, random (or another network)", ExitCodes.Usage);
        foreach (string n in conditions) Masks.Networks.ValidateCondition(n);
        Model.Validate();
        Mask.Validate();
        string randomLike = RandomLikeNetwork;
        LesionRequest.CheckLocalizerIsRead(Mask, conditions, randomLike);
        int lesioned = conditions.Distinct().Count(n => !Masks.Networks.IsLesionControl(n));
        if (Mask.File is not null && (lesioned > 1 || (lesioned == 1 && conditions.Contains(Masks.Networks.Random) && !conditions.Contains(randomLike))))
            throw new LlmLocException("--mask stands for one network's mask, but the conditions read several: evaluate one network (and its random control) per run", ExitCodes.Usage);
        FlagChecks.AtLeastOne("--batch-size", BatchSize);
        FlagChecks.AtLeastOne("--random-seeds", RandomSeeds);
        FlagChecks.SeedRange(Model.Seed, RandomSeeds);
        LesionUncertainty.CheckFlags(BootstrapSamples, BootstrapSeed);
        if (MaxTokensPerWindow is < 2)
            throw new LlmLocException($"--max-tokens-per-window {MaxTokensPerWindow} is too small: give 2 or more", ExitCodes.Usage);
        IO.AtomicFile.CheckDistinct(
            [("--text", TextFile), ("--minimal-pairs", MinimalPairsFile == MinimalPairs.BuiltinName ? null : MinimalPairsFile), ("--mask", Mask.File)],
            [("--json", JsonOut), ("--table", TableOut)]);
        if (TableOut is { } table) IO.TableFile.CheckPath("--table", table);
    }

    /// <summary>The network a random control is drawn like: --random-like; else language when it is evaluated
    /// (generate_lesion.py's control); else the one other network evaluated; with no network evaluated, the mask's
    /// network (language, or --localizer's).</summary>
    public string RandomLikeNetwork
    {
        get
        {
            if (RandomLike is { } given) return given;
            var lesioned = Conditions.Where(n => !Masks.Networks.IsLesionControl(n)).Distinct().ToList();
            if (lesioned.Count == 0) return Mask.Network;
            if (lesioned.Contains(Masks.Networks.Language)) return Masks.Networks.Language;
            return lesioned.Count == 1 ? lesioned[0]
                : throw new LlmLocException($"random controls could match {string.Join(" or ", lesioned)}: say which with --random-like NETWORK", ExitCodes.Usage);
        }
    }

    /// <summary>The lesion of one condition (random: seeded draw like <see cref="RandomLikeNetwork"/>).</summary>
    public LesionRequest Lesion(string condition, int seed) =>
        new() { Model = Model, Mask = condition == Masks.Networks.None ? Mask with { File = null } : Mask, Condition = condition, RandomLike = RandomLikeNetwork, Seed = seed };
}
