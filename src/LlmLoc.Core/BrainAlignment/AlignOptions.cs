using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Sessions;

namespace LlmLoc.BrainAlignment;

/// <summary>Everything <c>llmloc align</c> takes.</summary>
public sealed record AlignOptions
{
    /// <summary>.npy from <c>llmloc extract</c>: [items × layers × hidden] (conditions by unit) or [items × d].</summary>
    public required string ActivationsFile { get; init; }
    /// <summary>.npy or .csv [items × columns], rows in the order of the extracted items.</summary>
    public required string ResponsesFile { get; init; }

    /// <summary>The model whose cached mask is used (only its name and --untrained: align loads no model); null with --mask or without a mask.</summary>
    public ModelSpec? Model { get; init; }
    /// <summary>The network's mask: --mask FILE, or the cached one of <see cref="Model"/> (as generate-lesion / evaluate).</summary>
    public MaskSpec Mask { get; init; } = new();

    /// <summary>First random control's seed; the controls use seed, seed+1, ….</summary>
    public int Seed { get; init; } = Defaults.Seed;
    public int RandomSeeds { get; init; } = 5;
    /// <summary>All units of this layer (0-based, as the units table and --stats-out) as one more condition.</summary>
    public int? Layer { get; init; }

    public RegressionMethod Method { get; init; } = RegressionMethod.Linear;
    public int Folds { get; init; } = 10;
    public int SplitSeed { get; init; }
    public string? JsonOut { get; init; }
    /// <summary>--table: one row per condition, fold and response column (.csv or .parquet).</summary>
    public string? TableOut { get; init; }

    // Brain-Score's procedure (issue 24): split scheme, the Pereira2018 preset, ceilings, groups, every layer.
    public CrossValidationScheme CrossValidation { get; init; } = CrossValidationScheme.KFold;
    /// <summary>Training fraction of a shuffle split (null: 0.9).</summary>
    public double? TrainSize { get; init; }
    public bool BrainScore { get; init; }
    /// <summary>--ceiling values: "C" (every group) or "GROUP=C".</summary>
    public IReadOnlyList<string> Ceilings { get; init; } = [];
    public string? GroupColumn { get; init; }
    /// <summary>extract's item table, read for <see cref="GroupColumn"/>.</summary>
    public string? ItemsFile { get; init; }
    /// <summary>--layer all: every layer's units as its own condition.</summary>
    public bool AllLayers { get; init; }
    /// <summary>The preset's flags the user typed (--cv, --folds, --train-size, --split-seed, --method): with
    /// --brainscore each must agree with the preset.</summary>
    public IReadOnlyCollection<string> ExplicitFlags { get; init; } = [];

    public bool HasLanguageMask => Mask.File is not null || Model is not null;

    /// <summary>The mask of the network (<paramref name="condition"/> = its name), or with <see cref="Networks.Random"/>
    /// and a seed, a random control drawn outside it.</summary>
    public LesionRequest MaskRequest(string condition, int seed) => new()
    {
        Model = Model ?? new ModelSpec(""),
        Mask = Mask,
        Condition = condition,
        RandomLike = Mask.Network,
        Seed = seed,
    };

    /// <summary>Checks flags and input paths before anything is read; throws a one-line usage error.</summary>
    public void Validate()
    {
        Mask.Validate();
        if (Folds < 2)
            throw new LlmLocException($"--folds {Folds} is out of range: give 2 or more", ExitCodes.Usage);
        if (RandomSeeds < 0)
            throw new LlmLocException($"--random-seeds {RandomSeeds} is out of range: give 0 or more", ExitCodes.Usage);
        FlagChecks.Seed(Seed);
        FlagChecks.SeedRange(Seed, RandomSeeds);
        FlagChecks.Seed(SplitSeed, "--split-seed");
        if (Layer is < 0)
            throw new LlmLocException($"--layer {Layer} is out of range: layers count from 0", ExitCodes.Usage);
        if (Mask.File is not null && Model is not null)
            throw new LlmLocException("give either --mask FILE or --model-name (its cached mask), not both", ExitCodes.Usage);
        if (!HasLanguageMask && (Mask.Localizer is not null || Mask.Network != Networks.Language))
            throw new LlmLocException($"{(Mask.Localizer is { } custom ? $"--localizer {custom.File}" : $"--network {Mask.Network}")} picks a cached mask of --model-name: " +
                "add --model-name (or give the mask with --mask FILE)", ExitCodes.Usage);
        foreach (var (flag, path) in new[] { ("--activations", ActivationsFile), ("--responses", ResponsesFile) })
            if (!File.Exists(path))
                throw new LlmLocException($"{flag} {path} does not exist: give an existing file");
        if (JsonOut is { } json && !json.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new LlmLocException($"--json {json} should end in .json", ExitCodes.Usage);
        if (TableOut is { } table) IO.TableFile.CheckPath("--table", table);
        BrainScoreProcedure.Validate(this);
    }
}
