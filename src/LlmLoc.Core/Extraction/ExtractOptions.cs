using LlmLoc.IO;
using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Sessions;

namespace LlmLoc.Extraction;

/// <summary>Everything <c>llmloc extract</c> takes.</summary>
public sealed record ExtractOptions
{
    public required ModelSpec Model { get; init; }
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

    /// <summary>The units to keep: a mask file or a cached mask (pooling: --mask-pooling); null: every unit.</summary>
    public MaskSpec? Mask { get; init; }
    /// <summary>--site: the units recorded, each block's output or the input of each block's MLP output projection
    /// (the mask's units are at the same site).</summary>
    public UnitSite Site { get; init; } = UnitSite.Residual;
    public int BatchSize { get; init; } = 64;

    public bool HasMask => Mask is not null;

    public string Stem => OutputFile[..^".npy".Length];
    public string ItemsPath => ItemsFile ?? Stem + ".items.csv";
    public string UnitsPath => UnitsFile ?? Stem + ".units.csv";

    /// <summary>The mask's network read as a lesion verb reads it (the same resolver).</summary>
    public LesionRequest? MaskRequest => Mask is null ? null : new() { Model = Model, Mask = Mask with { Site = Site }, Condition = Mask.Network };

    /// <summary>Checks flags and paths before anything is loaded; throws a one-line usage error.</summary>
    public void Validate()
    {
        FlagChecks.AtLeastOne("--batch-size", BatchSize);
        Model.Validate();
        Mask?.Validate();
        if (Mask is { File: not null } && (Mask.Percentage is not null || Mask.NumUnits is not null))
            throw new LlmLocException("give either --mask FILE or --percentage/--num-units (a cached mask), not both", ExitCodes.Usage);
        // A cached mask is named by its size: a localizer alone keeps every unit, which is not what was asked.
        if (Mask is { File: null, Percentage: null, NumUnits: null })
            throw new LlmLocException($"--localizer {Mask.Localizer?.File ?? Mask.Network} picks the cached mask of --percentage or --num-units: " +
                "add one (e.g. --percentage 1)", ExitCodes.Usage);
        if (!OutputFile.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            throw new LlmLocException($"--output {OutputFile} should end in .npy (the activations are a numpy array)", ExitCodes.Usage);
        TableFile.CheckPath("--items", ItemsPath);
        TableFile.CheckPath("--units", UnitsPath);
        if (UnitsFile is not null && !HasMask)
            throw new LlmLocException("--units needs --mask or --percentage/--num-units: without a mask every unit is written, in layer × hidden order", ExitCodes.Usage);
        if (PassageContext && Pooling == Pooling.Mean)
            throw new LlmLocException("--context passage needs --pooling last-token: mean pooling would average the context's tokens too", ExitCodes.Usage);
        AtomicFile.CheckDistinct([("--input", InputFile), ("--mask", Mask?.File)],
            [("--output", OutputFile), ("--items", ItemsPath), ("--units", HasMask ? UnitsPath : null)]);
    }
}
