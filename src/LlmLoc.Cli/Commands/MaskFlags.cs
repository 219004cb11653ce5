using System.CommandLine;
using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Sessions;

namespace LlmLoc.Cli.Commands;

/// <summary>
/// The mask flags, declared once: --network | --localizer, --percentage | --num-units, --pooling, --localize-range,
/// --site, --cache-dir, --mask and --label. localize computes the mask they name; every other verb reads it (a cached
/// mask of the model, or --mask FILE). <see cref="Read"/> gives the one mask specification the verb's options carry.
/// </summary>
public sealed class MaskFlags
{
    /// <summary>How a verb uses the mask flags.</summary>
    public enum Use
    {
        /// <summary>localize: the flags name the mask to compute (no --mask, no --label).</summary>
        Localize,
        /// <summary>plot, extract, align: the flags name a cached mask of a network (--network included).</summary>
        Lookup,
        /// <summary>generate-lesion, evaluate: the verb names the conditions; the flags give the masks' settings.</summary>
        Lesion,
    }

    public Option<string>? Network { get; }
    public Option<double?> Percentage { get; }
    public Option<long?> NumUnits { get; }
    public Option<string?> Pooling { get; }
    public Option<string> Range { get; }
    public Option<string?> CacheDir { get; } = new("--cache-dir") { Description = "the mask cache folder (default: $LOC_CACHE, else cache)" };
    /// <summary>A built-in's or a custom localizer's name, or a definition file: the network (localize, lookups) or
    /// the custom network the lesion verbs may name as a condition.</summary>
    public Option<string?> Localizer { get; }
    public Option<string> Site { get; } = new("--site")
    {
        Description = "units: resid (each block's output, as the original) or mlp (the input of each block's MLP output projection)",
        DefaultValueFactory = _ => UnitSite.Residual.ToFlag(),
    };
    public Option<string?>? Mask { get; }
    public Option<string?>? Label { get; }
    /// <summary>plot: --mask and --label take several values (a column each).</summary>
    public Option<string[]>? Masks { get; }
    public Option<string[]>? Labels { get; }

    /// <param name="poolingName">--pooling, or --mask-pooling where --pooling means something else (extract).</param>
    /// <param name="poolingHelp">Overrides the pooling flag's help where its default differs (plot).</param>
    /// <param name="several">--mask and --label are repeatable (plot: a column each).</param>
    public MaskFlags(Use use, string poolingName = "--pooling", string? poolingHelp = null, bool several = false)
    {
        bool localize = use == Use.Localize;
        if (use != Use.Lesion)
        {
            Network = new("--network")
            {
                Description = localize ? "localizer to run" : "network of the mask (as localize's --network)",
                DefaultValueFactory = _ => Networks.Language,
            };
            if (localize) Network.AcceptOnlyFromAmong(Networks.Localized);
        }
        Percentage = new("--percentage")
        {
            Description = localize
                ? "percentage of units to localize (overrides --num-units, as localize.py), e.g. 1"
                : $"the mask's size as given to localize, e.g. 1 (default {Defaults.LookupPercentage} unless --num-units)",
        };
        NumUnits = new("--num-units") { Description = localize ? "exact number of units to localize (when --percentage is not given)" : "the mask's size as --num-units given to localize" };
        Pooling = new(poolingName) { Description = poolingHelp ?? (localize ? "token pooling of block outputs (default last-token)" : "the mask's pooling as given to localize (default last-token)") };
        Pooling.AcceptOnlyFromAmong(PoolingNames.All);
        Range = new("--localize-range")
        {
            Description = localize
                ? "100-100: top units; 0-0: bottom units; x-y: random units between the x-th and y-th t percentiles"
                : "the mask's localize range (100-100 top, 0-0 bottom, x-y a random draw in that t-percentile range)",
            DefaultValueFactory = _ => Defaults.Range,
        };
        Localizer = new("--localizer")
        {
            Description = use switch
            {
                Use.Localize => "a custom localizer's definition FILE.toml (name, positive, negative, …; see `llmloc stimuli list`) or a built-in's name, instead of --network",
                Use.Lookup => "the mask of this localizer instead of --network's: a built-in's name, a definition FILE.toml or a custom localizer's name",
                _ => "a custom localizer (definition FILE.toml or its name): a network like the others (a condition, --random-like); by default the conditions become none, its name, random",
            },
        };
        Site.AcceptOnlyFromAmong(UnitSiteNames.All);
        const string maskHelp = "use this 0/1 .npy mask [layers × units] instead of a cached one";
        const string labelHelp = "the mask's name in tables and figures (default: its network and settings)";
        if (localize) return;
        if (several)
        {
            Masks = new("--mask") { Description = maskHelp + " (repeatable: a column each)", AllowMultipleArgumentsPerToken = true };
            Labels = new("--label") { Description = labelHelp + " (one per column, in order)", AllowMultipleArgumentsPerToken = true };
        }
        else
        {
            Mask = new("--mask") { Description = maskHelp };
            Label = new("--label") { Description = labelHelp };
        }
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option?[] { Network, Localizer, Percentage, NumUnits, Pooling, Range, Site, CacheDir, Mask, Label, Masks, Labels })
            if (option is not null) command.Add(option);
    }

    /// <summary>The specification; --localizer names the network (a definition file is read and checked here).</summary>
    public MaskSpec Read(ParseResult parse) => LocalizerReference.Apply(new()
    {
        Network = Network is null ? Networks.Language : parse.GetValue(Network)!,
        Site = UnitSiteNames.Parse(parse.GetValue(Site)!),
        Percentage = parse.GetValue(Percentage),
        NumUnits = parse.GetValue(NumUnits),
        Pooling = parse.GetValue(Pooling) is { } pooling ? PoolingNames.Parse(pooling) : null,
        Range = LocalizeRange.Parse(parse.GetValue(Range)!),
        CacheDir = parse.GetValue(CacheDir),
        File = Mask is null ? null : parse.GetValue(Mask),
        Label = Label is null ? null : parse.GetValue(Label),
    }, Network is not null && parse.GetResult(Network) is { Implicit: false } ? parse.GetValue(Network) : null, parse.GetValue(Localizer));

    /// <summary>Whether the user gave a flag that names a mask (extract writes only a mask's units when one is named).</summary>
    public bool NamesAMask(ParseResult parse) =>
        (Mask is not null && parse.GetResult(Mask) is not null) || parse.GetResult(Percentage) is not null || parse.GetResult(NumUnits) is not null
        || parse.GetResult(Localizer) is not null;
}
