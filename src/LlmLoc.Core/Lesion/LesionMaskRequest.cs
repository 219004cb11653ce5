using LlmLoc.Masks;

namespace LlmLoc.Lesion;

/// <summary>What selects the lesion mask: an explicit file, or the language mask localize cached for these settings.</summary>
public sealed record LesionMaskRequest
{
    /// <summary>As given on the command line (the model id in cache names is its basename).</summary>
    public required string ModelName { get; init; }
    public required double Percentage { get; init; }
    public string Network { get; init; } = Networks.Language;
    public Pooling Pooling { get; init; } = Pooling.LastToken;
    public LocalizeRange Range { get; init; } = LocalizeRange.Parse("100-100");
    /// <summary>Seeds the random control's draw (generate_lesion.py's np.random.seed(args.seed)).</summary>
    public int Seed { get; init; } = 42;
    /// <summary>An untrained model's lesion uses the mask localized in the untrained model (pretrained=False).</summary>
    public bool Untrained { get; init; }
    public string? CacheDir { get; init; }
    /// <summary>Any 0/1 .npy mask; overrides the cache lookup (and is the base of the random control).</summary>
    public string? MaskFile { get; init; }
    /// <summary>--localizer and --site: whose cached mask is ablated instead of the language mask (and is the base of
    /// the random control), and the units of the mask and of the lesion.</summary>
    public LocalizedUnits Units { get; init; } = new();

    /// <summary>The cache entry of the language mask: network=language, this pooling and range, perc, nunits=None.</summary>
    public MaskCacheKey LanguageKey => new(MaskCacheKey.ModelIdOf(ModelName), Networks.Language,
        Pooling.ToFlag(), Range.Text, Percentage, null, !Untrained, Units.Site);

    /// <summary>The localize command that writes <see cref="LanguageKey"/>.</summary>
    public string LocalizeCommand =>
        $"llmloc localize --model-name {ModelName} --percentage {PythonFormat.Float(Percentage)} " +
        (Units.Localizer is { } localizer ? $"--localizer {(Sessions.LocalizerReference.IsFile(localizer) || Stimuli.LocalizerDefinition.BuiltIn(localizer) is not null ? localizer : localizer + ".toml")} " : "--network language ") +
        $"--pooling {Pooling.ToFlag()} --localize-range {Range.Text}" + (Units.Site == Models.UnitSite.Residual ? "" : $" --site {Models.UnitSiteNames.ToFlag(Units.Site)}") +
        (Untrained ? " --untrained" : "") + (CacheDir is { Length: > 0 } dir ? $" --cache-dir {dir}" : "");

    public void Validate()
    {
        Networks.ValidateLesion(Network);
        FlagChecks.Percentage(Percentage);
        FlagChecks.Seed(Seed);
        if (Network == Networks.None && MaskFile is not null)
            throw new LlmLocException("--mask has no effect with --network none (no lesion): drop --mask or use --network language or random", ExitCodes.Usage);
    }
}
