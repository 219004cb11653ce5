using LlmLoc.Models;

namespace LlmLoc.Masks;

/// <summary>
/// Whose cached mask a verb looks up and at which units (<c>--localizer</c>, <c>--site</c>), with what resolving a
/// definition file needs: its items are tokenized by the model's tokenizer (read offline with <see cref="Offline"/>),
/// and a copy of a built-in is compared with the built-in's stimuli in <see cref="StimuliDir"/>.
/// </summary>
public sealed record LocalizedUnits
{
    /// <summary>A built-in's name, a definition file (*.toml) or a custom localizer's bare name; null: the verb's own
    /// network (the language mask).</summary>
    public string? Localizer { get; init; }
    public UnitSite Site { get; init; } = UnitSite.Residual;
    public string StimuliDir { get; init; } = "stimuli";
    public bool Offline { get; init; }
}
