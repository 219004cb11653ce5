using LlmLoc.Masks;

namespace LlmLoc.Localization;

/// <summary>Everything <c>llmloc localize</c> takes; flags one for one with localize.py plus llmloc's additions.</summary>
public sealed record LocalizeOptions
{
    public required string ModelName { get; init; }
    public double? Percentage { get; init; }
    public LocalizeRange Range { get; init; } = LocalizeRange.Parse("100-100");
    public string Network { get; init; } = Networks.Language;
    public Pooling Pooling { get; init; } = Pooling.LastToken;
    public long? NumUnits { get; init; }
    public int Seed { get; init; } = 42;
    public string? Device { get; init; }
    public bool Untrained { get; init; }
    public bool Overwrite { get; init; }
    public int BatchSize { get; init; } = 64;
    public string StimuliDir { get; init; } = "stimuli";
    /// <summary>The user named the stimuli folder (--stimuli-dir or $LLMLOC_STIMULI): it must exist, nothing is fetched into a new one.</summary>
    public bool StimuliDirExplicit { get; init; }
    public string? CacheDir { get; init; }
    public string? StatsOut { get; init; }
    public bool Offline { get; init; }
    /// <summary>--weights: in memory, streamed block by block, or chosen from the available memory.</summary>
    public Models.WeightsMode Weights { get; init; } = Models.WeightsMode.Auto;
    /// <summary>--dtype: compute dtype (null: float32 on the CPU).</summary>
    public string? DType { get; init; }
    /// <summary>--localizer: a definition file (*.toml) or a built-in's name; when set it names the localizer instead of <see cref="Network"/>.</summary>
    public string? Localizer { get; init; }
    /// <summary>--site: the block outputs (the original's units) or the MLP site.</summary>
    public Models.UnitSite Site { get; init; } = Models.UnitSite.Residual;
    /// <summary>--pooling was not given: a definition file's own pooling applies instead of <see cref="Pooling"/>.</summary>
    public bool PoolingIsDefault { get; init; }
    /// <summary>The network in cache names when it is not <see cref="Network"/>: a custom localizer's <c>{name}-{hash}</c>,
    /// set by <see cref="Localizer.Resolve"/>.</summary>
    public string? CacheNetwork { get; init; }

    /// <summary>The cache entry (mask, p- and t-values) localize reads and writes for these options.</summary>
    public MaskCacheKey CacheKey =>
        new(MaskCacheKey.ModelIdOf(ModelName), CacheNetwork ?? Network, Pooling.ToFlag(), Range.Text, Percentage, NumUnits, Pretrained: !Untrained, Site);

    /// <summary>Checks what can be checked before a model is loaded; throws a one-line usage error.</summary>
    public void Validate()
    {
        if (Localizer is null) Networks.ValidateLocalized(Network);
        else ReadDefinition();
        if (Percentage is null && NumUnits is null)
            throw new LlmLocException("give --percentage (e.g. --percentage 1) or --num-units (e.g. --num-units 1024)", ExitCodes.Usage);
        if (Percentage is { } p) FlagChecks.Percentage(p);
        if (Percentage is null && NumUnits is <= 0)
            throw new LlmLocException($"--num-units {NumUnits} is out of range: give a positive number of units", ExitCodes.Usage);
        FlagChecks.AtLeastOne("--batch-size", BatchSize);
        FlagChecks.Seed(Seed);
    }

    /// <summary>The localizer to run: <see cref="Localizer"/> (read and checked) or the built-in <see cref="Network"/>.</summary>
    public Stimuli.LocalizerDefinition ReadDefinition()
    {
        if (Localizer is not { } reference) return Stimuli.LocalizerDefinition.BuiltIn(Networks.ValidateLocalized(Network))!;
        var definition = Sessions.LocalizerReference.Definition(reference)
            ?? throw new LlmLocException($"--localizer {reference}: localize needs the definition file of a custom localizer (--localizer FILE.toml)", ExitCodes.Usage);
        if (Network != Networks.Language && Network != definition.Name)
            throw new LlmLocException($"--network {Network} and --localizer {reference} name different localizers: give one of them", ExitCodes.Usage);
        return definition;
    }

    /// <summary>localize.py's rule: <c>int(percentage/100 * hidden * layers)</c> when a percentage is given
    /// (it overrides --num-units), else --num-units.</summary>
    public long UnitsToSelect(int layers, int hidden)
    {
        long total = (long)layers * hidden;
        long units = Percentage is { } p ? Statistics.UnitSelection.NumUnitsFromPercentage(p, hidden, layers) : NumUnits!.Value;
        if (units > total)
            throw new LlmLocException($"--num-units {units} is larger than the model ({layers} layers × {hidden} units = {total}): give at most {total}", ExitCodes.Usage);
        if (units < 1)
            throw new LlmLocException($"--percentage {Percentage} selects no unit of {total}: give a larger percentage or --num-units", ExitCodes.Usage);
        return units;
    }
}
