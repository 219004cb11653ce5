using LlmLoc.Evaluation.Blimp;
using LlmLoc.Masks;

namespace LlmLoc.Evaluation;

/// <summary>Everything <c>llmloc evaluate</c> takes.</summary>
public sealed record EvaluateOptions
{
    public required string ModelName { get; init; }
    public double Percentage { get; init; } = 1;
    public string Pooling { get; init; } = "last-token";
    public string Range { get; init; } = "100-100";
    public IReadOnlyList<string> Networks { get; init; } = Masks.Networks.EvaluationOrder;
    public string? MaskFile { get; init; }
    public int Seed { get; init; } = 42;
    public int RandomSeeds { get; init; } = 5;
    public string? Device { get; init; }
    public string? CacheDir { get; init; }
    public bool Untrained { get; init; }
    public bool Offline { get; init; }
    /// <summary>--weights: in memory, streamed block by block, or chosen from the available memory.</summary>
    public Models.WeightsMode Weights { get; init; } = Models.WeightsMode.Auto;
    /// <summary>--dtype: compute dtype (null: float32 on the CPU).</summary>
    public string? DType { get; init; }
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
    public string? ParquetOut { get; init; }
    /// <summary>--bootstrap-samples: resamples behind every bootstrap interval.</summary>
    public int BootstrapSamples { get; init; } = Statistics.Uncertainty.DefaultBootstrapSamples;
    /// <summary>--bootstrap-seed: seeds the resamples (null: --seed).</summary>
    public int? BootstrapSeed { get; init; }
    public uint ResolvedBootstrapSeed => (uint)(BootstrapSeed ?? Seed);

    /// <summary>Checks what can be checked before a model is loaded; throws a one-line usage error.</summary>
    public void Validate()
    {
        if (TextFile is null && MinimalPairsFile is null && Blimp is null)
            throw new LlmLocException("nothing to evaluate: give --blimp [PARADIGM...|all], --minimal-pairs [FILE.jsonl|builtin] and/or --text FILE", ExitCodes.Usage);
        if (Blimp is null && (BlimpDir is not null || Limit is not null))
            throw new LlmLocException($"{(BlimpDir is not null ? "--blimp-dir" : "--limit")} applies to BLiMP: add --blimp [PARADIGM...|all]", ExitCodes.Usage);
        if (Blimp is not null) BlimpParadigms.Select(Blimp); // throws on an unknown paradigm name
        if (Limit is { } limit) FlagChecks.AtLeastOne("--limit", limit);
        if (Networks.Count == 0)
            throw new LlmLocException("no condition to evaluate: give --networks with some of none, language, random", ExitCodes.Usage);
        foreach (string n in Networks)
            if (!Masks.Networks.EvaluationOrder.Contains(n))
                throw new LlmLocException($"unknown network '{n}': use none, language or random", ExitCodes.Usage);
        FlagChecks.Percentage(Percentage);
        FlagChecks.AtLeastOne("--batch-size", BatchSize);
        FlagChecks.AtLeastOne("--random-seeds", RandomSeeds);
        FlagChecks.Seed(Seed);
        LesionUncertainty.CheckFlags(BootstrapSamples, BootstrapSeed);
        if (MaxTokensPerWindow is < 2)
            throw new LlmLocException($"--max-tokens-per-window {MaxTokensPerWindow} is too small: give 2 or more", ExitCodes.Usage);
        IO.AtomicFile.CheckDistinct(
            [("--text", TextFile), ("--minimal-pairs", MinimalPairsFile == MinimalPairs.BuiltinName ? null : MinimalPairsFile), ("--mask", MaskFile)],
            [("--json", JsonOut), ("--parquet", ParquetOut)]);
    }
}
