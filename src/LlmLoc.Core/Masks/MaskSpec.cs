using LlmLoc.IO;
using LlmLoc.Models;

namespace LlmLoc.Masks;

/// <summary>
/// The one mask specification every verb takes (<c>--network</c> | <c>--localizer</c>, <c>--percentage</c> |
/// <c>--num-units</c>, <c>--pooling</c>, <c>--localize-range</c>, <c>--site</c>, <c>--cache-dir</c>, <c>--mask</c>,
/// <c>--label</c>): which mask localize writes, or which cached mask (or file) a verb reads. The model half of a cache
/// name (model id, pretrained) comes from the model specification.
/// </summary>
public sealed record MaskSpec
{
    /// <summary>The localized network (an open set of names: the built-in localizers, and user-named ones).</summary>
    public string Network { get; init; } = Networks.Language;
    public double? Percentage { get; init; }
    public long? NumUnits { get; init; }
    /// <summary>Null: the verb's default for the network (<see cref="PoolingDefaults"/>).</summary>
    public Pooling? Pooling { get; init; }
    public LocalizeRange Range { get; init; } = LocalizeRange.Top;
    /// <summary>--cache-dir; null: $LOC_CACHE, else ./cache (<see cref="MaskCache"/>).</summary>
    public string? CacheDir { get; init; }
    /// <summary>--mask: a 0/1 .npy used instead of a cache lookup.</summary>
    public string? File { get; init; }
    /// <summary>--label: the user's name for the mask in printed tables and figures.</summary>
    public string? Label { get; init; }
    /// <summary>--site: the units the mask covers, each block's output (the original's) or the input of each block's
    /// MLP output projection; named in cache names only when not the default.</summary>
    public UnitSite Site { get; init; } = UnitSite.Residual;
    /// <summary>--localizer FILE.toml: a custom localizer; its name is a network here like the built-ins' (the mask's
    /// network, a lesion condition, a --random-like network), cached as <see cref="CustomLocalizer.CacheNetwork"/>.</summary>
    public CustomLocalizer? Localizer { get; init; }

    /// <summary>The size a lookup asks for: --percentage, else --num-units, else 1 % (<see cref="Defaults.LookupPercentage"/>).
    /// localize.py lets --percentage override --num-units and keeps both in the name; so does the key.</summary>
    public double? KeyPercentage => Percentage ?? (NumUnits is null ? Defaults.LookupPercentage : null);

    public MaskCache Cache => new(CacheDir);

    /// <summary>The cache entry of this mask for a model.</summary>
    public MaskCacheKey Key(string modelName, bool untrained, Pooling pooling) =>
        new(MaskCacheKey.ModelIdOf(modelName), CacheNetwork, pooling.ToFlag(), Range.Text, KeyPercentage, NumUnits, Pretrained: !untrained, Site);

    /// <summary>The network in cache names: the custom localizer's <c>{name}-{hash}</c> for its network (resolved with the
    /// model's tokenizer first), else <see cref="Network"/> (a bare custom name is found in the cache: <see cref="MaskCache.Find"/>).</summary>
    string CacheNetwork => Localizer is { } localizer && localizer.Name == Network
        ? localizer.CacheNetwork ?? throw new InvalidOperationException($"the cache network of localizer {localizer.File} is not resolved for the model yet")
        : Network;

    /// <summary>The pooling of <paramref name="network"/>'s masks: --pooling, else the custom localizer's own pooling for
    /// its network, else the verb's default.</summary>
    public Pooling PoolingOf(string network, Func<string, Pooling> verbDefault) =>
        Pooling ?? (Localizer is { DefaultPooling: { } own } localizer && localizer.Name == network ? own : verbDefault(network));

    /// <summary>Checks the values; a mask's network must be a name that can stand in a file name.</summary>
    public void Validate()
    {
        Networks.ValidateName(Network);
        if (Percentage is { } p) FlagChecks.Percentage(p);
        if (NumUnits is <= 0)
            throw new LlmLocException($"--num-units {NumUnits} is out of range: give a positive number of units", ExitCodes.Usage);
        if (Label is { Length: 0 })
            throw new LlmLocException("--label is empty: give the name to show for the mask", ExitCodes.Usage);
    }

    /// <summary>localize.py accepts both sizes and lets --percentage win; llmloc says so.</summary>
    public void WarnAboutSize(TextWriter stderr)
    {
        if (Percentage is { } p && NumUnits is { } n)
            stderr.WriteLine($"llmloc: warning: --percentage {PythonFormat.Float(p)} overrides --num-units {n} (as localize.py); the cache name keeps both");
    }

    /// <summary>The flags that select this mask, as a verb's command line would spell them.</summary>
    public string Flags(Pooling pooling) =>
        SizeFlags + NetworkFlag + $" --pooling {pooling.ToFlag()} --localize-range {Range.Text}" +
        (Site == UnitSite.Residual ? "" : $" --site {Site.ToFlag()}") + (CacheDir is { Length: > 0 } dir ? $" --cache-dir {dir}" : "");

    /// <summary>A built-in by --network; a custom localizer by its definition file (a bare name: the file to write).</summary>
    string NetworkFlag =>
        Networks.IsBuiltIn(Network) ? $" --network {Network}"
        : $" --localizer {(Localizer is { } localizer && localizer.Name == Network ? localizer.File : Network + ".toml")}";

    string SizeFlags =>
        (Percentage is { } p ? $"--percentage {PythonFormat.Float(p)}" : "") +
        (Percentage is not null && NumUnits is not null ? " " : "") +
        (NumUnits is { } n ? $"--num-units {n}" : "") +
        (Percentage is null && NumUnits is null ? $"--percentage {PythonFormat.Float(Defaults.LookupPercentage)}" : "");

    /// <summary>How a mask is named in tables and figures: --label, else the --mask file's name, else the network and
    /// its settings.</summary>
    public string Describe(Pooling pooling) => Label ?? (File is { } file ? Path.GetFileName(file) :
        $"{Network} ({(KeyPercentage is { } p ? $"{PythonFormat.Float(p)} %" : $"{NumUnits} units")}, {pooling.ToFlag()}" +
        (Range.IsTop ? "" : $", range {Range.Text}") + (Site == UnitSite.Residual ? "" : $", {Site.UnitsNoun()}") + ")");
}

/// <summary>Each verb's pooling when --pooling is not given, as the original's scripts choose it.</summary>
public static class PoolingDefaults
{
    /// <summary>localize.py and the lesion scripts: last-token for every network.</summary>
    public static Pooling Localize(string network) => Pooling.LastToken;

    /// <summary>plot.py and the paper's sweep script: mean for the built-in theory-of-mind and multiple-demand networks,
    /// last-token for language and for custom localizers (localize's default, so their masks are found).</summary>
    public static Pooling PerNetwork(string network) =>
        network == Networks.Language || !Networks.IsBuiltIn(network) ? Pooling.LastToken : Pooling.Mean;
}
