using LlmLoc.Lesion;
using LlmLoc.Masks;

namespace LlmLoc.BrainAlignment;

/// <summary>Everything <c>llmloc align</c> takes.</summary>
public sealed record AlignOptions
{
    /// <summary>.npy from <c>llmloc extract</c>: [items × layers × hidden] (conditions by unit) or [items × d].</summary>
    public required string ActivationsFile { get; init; }
    /// <summary>.npy or .csv [items × columns], rows in the order of the extracted items.</summary>
    public required string ResponsesFile { get; init; }

    // The language mask: a file, or the cached one of --model-name (as generate-lesion / evaluate).
    public string? MaskFile { get; init; }
    public string? ModelName { get; init; }
    public double Percentage { get; init; } = 1;
    public Pooling Pooling { get; init; } = Pooling.LastToken;
    public LocalizeRange Range { get; init; } = LocalizeRange.Parse("100-100");
    public string? CacheDir { get; init; }
    public bool Untrained { get; init; }

    /// <summary>First random control's seed; the controls use seed, seed+1, ….</summary>
    public int Seed { get; init; } = 42;
    public int RandomSeeds { get; init; } = 5;
    /// <summary>All units of this layer (0-based, as the units table and --stats-out) as one more condition.</summary>
    public int? Layer { get; init; }

    public RegressionMethod Method { get; init; } = RegressionMethod.Linear;
    public int Folds { get; init; } = 10;
    public int SplitSeed { get; init; }
    public string? JsonOut { get; init; }
    public string? ParquetOut { get; init; }

    public bool HasLanguageMask => MaskFile is not null || ModelName is not null;

    /// <summary>The language mask request; <see cref="Networks.Random"/> with a seed gives a random control.</summary>
    public LesionMaskRequest MaskRequest(string network, int seed) => new()
    {
        ModelName = ModelName ?? "",
        Percentage = Percentage,
        Network = network,
        Pooling = Pooling,
        Range = Range,
        Seed = seed,
        Untrained = Untrained,
        CacheDir = CacheDir,
        MaskFile = MaskFile,
    };

    /// <summary>Checks flags and input paths before anything is read; throws a one-line usage error.</summary>
    public void Validate()
    {
        FlagChecks.Percentage(Percentage);
        if (Folds < 2)
            throw new LlmLocException($"--folds {Folds} is out of range: give 2 or more", ExitCodes.Usage);
        if (RandomSeeds < 0)
            throw new LlmLocException($"--random-seeds {RandomSeeds} is out of range: give 0 or more", ExitCodes.Usage);
        FlagChecks.Seed(Seed);
        FlagChecks.Seed(SplitSeed, "--split-seed");
        CountChecks.SeedRange(Seed, RandomSeeds);
        if (Layer is < 0)
            throw new LlmLocException($"--layer {Layer} is out of range: layers count from 0", ExitCodes.Usage);
        if (MaskFile is not null && ModelName is not null)
            throw new LlmLocException("give either --mask FILE or --model-name (the cached language mask), not both", ExitCodes.Usage);
        foreach (var (flag, path) in new[] { ("--activations", ActivationsFile), ("--responses", ResponsesFile) })
            if (!File.Exists(path))
                throw new LlmLocException($"{flag} {path} does not exist: give an existing file");
        if (JsonOut is { } json && !json.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new LlmLocException($"--json {json} should end in .json", ExitCodes.Usage);
        if (ParquetOut is { } parquet && !parquet.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            throw new LlmLocException($"--parquet {parquet} should end in .parquet", ExitCodes.Usage);
    }
}
