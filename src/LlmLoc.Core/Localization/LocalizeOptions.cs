using LlmLoc.Masks;
using LlmLoc.Sessions;

namespace LlmLoc.Localization;

/// <summary>Everything <c>llmloc localize</c> takes; flags one for one with localize.py plus llmloc's additions.</summary>
public sealed record LocalizeOptions
{
    public required ModelSpec Model { get; init; }
    /// <summary>The mask to compute: network (a built-in, or a custom localizer's definition), size, pooling (null:
    /// the definition's own, else last-token), range, site, cache folder.</summary>
    public MaskSpec Mask { get; init; } = new();
    public bool Overwrite { get; init; }
    public int BatchSize { get; init; } = 64;
    public string StimuliDir { get; init; } = "stimuli";
    /// <summary>The user named the stimuli folder (--stimuli-dir or $LLMLOC_STIMULI): it must exist, nothing is fetched into a new one.</summary>
    public bool StimuliDirExplicit { get; init; }
    public string? StatsOut { get; init; }

    public string Network => Mask.Network;
    public Pooling Pooling => Mask.PoolingOf(Mask.Network, PoolingDefaults.Localize);

    /// <summary>The cache entry (mask, p- and t-values) localize reads and writes for these options (a custom
    /// localizer's cache network resolved first: <see cref="LocalizerReference.Resolve"/>).</summary>
    public MaskCacheKey CacheKey => Model.KeyOf(Mask, Pooling);

    /// <summary>Checks what can be checked before a model is loaded; throws a one-line usage error.</summary>
    public void Validate()
    {
        if (Mask.Localizer is { } custom && custom.Name != Mask.Network)
            throw new LlmLocException($"--network {Mask.Network} and --localizer {custom.File} name different localizers: give one of them", ExitCodes.Usage);
        if (Mask.Localizer is null && !Networks.IsBuiltIn(Mask.Network))
            throw new LlmLocException($"'{Mask.Network}' is not a built-in localizer ({string.Join(", ", Networks.Localized)}): " +
                "localize needs the definition file of a custom localizer, --localizer FILE.toml", ExitCodes.Usage);
        Model.Validate();
        Mask.Validate();
        if (Mask.Percentage is null && Mask.NumUnits is null)
            throw new LlmLocException("give --percentage (e.g. --percentage 1) or --num-units (e.g. --num-units 1024)", ExitCodes.Usage);
        if (Mask.File is not null)
            throw new LlmLocException("localize computes a mask: --mask names an existing one (for plot, generate-lesion, evaluate, extract, align)", ExitCodes.Usage);
        FlagChecks.AtLeastOne("--batch-size", BatchSize);
        if (StatsOut is { } stats) IO.TableFile.CheckPath("--stats-out", stats);
    }
}
