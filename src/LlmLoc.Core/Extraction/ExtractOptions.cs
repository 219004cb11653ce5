using LlmLoc.Lesion;
using LlmLoc.Masks;

namespace LlmLoc.Extraction;

/// <summary>Everything <c>llmloc extract</c> takes.</summary>
public sealed record ExtractOptions
{
    public required string ModelName { get; init; }
    /// <summary>.txt (one item per line), .csv (a text column) or .jsonl ("text").</summary>
    public required string InputFile { get; init; }
    /// <summary>The activations, float32 .npy: [items × layers × hidden], or [items × units] with a mask.</summary>
    public required string OutputFile { get; init; }
    /// <summary>Item table (.csv or .parquet); default beside the output: NAME.items.csv.</summary>
    public string? ItemsFile { get; init; }
    /// <summary>Units table (.csv or .parquet) of a masked extraction; default NAME.units.csv.</summary>
    public string? UnitsFile { get; init; }

    public Pooling Pooling { get; init; } = Pooling.LastToken;
    /// <summary>Read each item after the earlier items of its passage (<c>--context passage</c>).</summary>
    public bool PassageContext { get; init; }
    public string TextColumn { get; init; } = "text";
    public string PassageColumn { get; init; } = "passage";

    // The units to keep: a mask file, or the cached language mask of --percentage (as generate-lesion / evaluate).
    public string? MaskFile { get; init; }
    public double? Percentage { get; init; }
    public Pooling MaskPooling { get; init; } = Pooling.LastToken;
    public LocalizeRange Range { get; init; } = LocalizeRange.Parse("100-100");
    public string? CacheDir { get; init; }

    public string? Device { get; init; }
    public bool Untrained { get; init; }
    public int Seed { get; init; } = 42;
    public bool Offline { get; init; }
    /// <summary>--weights: in memory, streamed block by block, or chosen from the available memory.</summary>
    public Models.WeightsMode Weights { get; init; } = Models.WeightsMode.Auto;
    /// <summary>--dtype: compute dtype (null: float32 on the CPU).</summary>
    public string? DType { get; init; }
    public int BatchSize { get; init; } = 64;
    /// <summary>--localizer and --site: the mask of --percentage is this localizer's, and the recorded activations and
    /// the mask are of this site (block outputs, or the MLP site).</summary>
    public LocalizedUnits Units { get; init; } = new();

    public bool HasMask => MaskFile is not null || Percentage is not null;

    public string Stem => OutputFile[..^".npy".Length];
    public string ItemsPath => ItemsFile ?? Stem + ".items.csv";
    public string UnitsPath => UnitsFile ?? Stem + ".units.csv";

    public LesionMaskRequest MaskRequest => new()
    {
        ModelName = ModelName,
        Percentage = Percentage ?? 1,
        Network = Networks.Language,
        Pooling = MaskPooling,
        Range = Range,
        Untrained = Untrained,
        CacheDir = CacheDir,
        MaskFile = MaskFile,
        Units = Units,
    };

    /// <summary>Checks flags and paths before anything is loaded; throws a one-line usage error.</summary>
    public void Validate()
    {
        FlagChecks.AtLeastOne("--batch-size", BatchSize);
        if (Percentage is { } p) FlagChecks.Percentage(p);
        if (MaskFile is not null && Percentage is not null)
            throw new LlmLocException("give either --mask FILE or --percentage (the cached language mask), not both", ExitCodes.Usage);
        if (!OutputFile.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            throw new LlmLocException($"--output {OutputFile} should end in .npy (the activations are a numpy array)", ExitCodes.Usage);
        foreach (var (flag, path) in new[] { ("--items", ItemsPath), ("--units", UnitsPath) })
            if (!IsTable(path))
                throw new LlmLocException($"{flag} {path} should end in .csv or .parquet", ExitCodes.Usage);
        if (Units.Localizer is { } localizer && Percentage is null)
            throw new LlmLocException($"--localizer {localizer} picks the cached mask of --percentage: add --percentage (e.g. --percentage 1)", ExitCodes.Usage);
        if (UnitsFile is not null && !HasMask)
            throw new LlmLocException("--units needs --mask or --percentage: without a mask every unit is written, in layer × hidden order", ExitCodes.Usage);
        if (PassageContext && Pooling == Pooling.Mean)
            throw new LlmLocException("--context passage needs --pooling last-token: mean pooling would average the context's tokens too", ExitCodes.Usage);
        IO.AtomicFile.CheckDistinct([("--input", InputFile), ("--mask", MaskFile)],
            [("--output", OutputFile), ("--items", ItemsPath), ("--units", HasMask ? UnitsPath : null)]);
        FlagChecks.Seed(Seed);
    }

    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
    static bool IsTable(string path) => IsParquet(path) || path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
}
