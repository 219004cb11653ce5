using System.CommandLine;
using LlmLoc.Models;

namespace LlmLoc.Cli.Commands;

/// <summary>
/// The --localizer and --site flags of every verb that names a mask (localize writes it, the others look it up):
/// a built-in's name, a definition file (*.toml) or a custom localizer's name, and the units (block output or MLP).
/// </summary>
public sealed class LocalizerFlags
{
    public Option<string?> Localizer { get; }

    public Option<string> Site { get; } = new("--site")
    {
        Description = "units: resid (each block's output, as the original) or mlp (the input of each block's MLP output projection)",
        DefaultValueFactory = _ => UnitSite.Residual.ToFlag(),
    };

    /// <param name="localizerDescription">What the verb does with the localizer's mask.</param>
    public LocalizerFlags(string localizerDescription)
    {
        Localizer = new Option<string?>("--localizer") { Description = localizerDescription };
        Site.AcceptOnlyFromAmong(UnitSiteNames.All);
    }

    public void AddTo(Command command) { command.Add(Localizer); command.Add(Site); }

    public UnitSite SiteOf(ParseResult parse) => UnitSiteNames.Parse(parse.GetValue(Site)!);

    public string? LocalizerOf(ParseResult parse) => parse.GetValue(Localizer);

    /// <summary>What a verb that looks a mask up needs: both flags, the stimuli folder a built-in copy is compared with.</summary>
    public Masks.LocalizedUnits UnitsOf(ParseResult parse, bool offline = false) => new()
    {
        Localizer = LocalizerOf(parse), Site = SiteOf(parse), StimuliDir = Localization.StimuliLocation.Default(), Offline = offline,
    };

    /// <summary>True when <paramref name="option"/> was not given on the command line (its default applies).</summary>
    public static bool NotGiven(ParseResult parse, Option option) => parse.GetResult(option) is null or { Implicit: true };
}
