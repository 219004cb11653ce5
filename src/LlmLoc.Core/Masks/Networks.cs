namespace LlmLoc.Masks;

/// <summary>
/// The one <c>--network</c> vocabulary: the networks a localizer exists for (localize, plot, sweeps) and the lesion
/// conditions built on the language mask (generate-lesion, evaluate, extract, align).
/// </summary>
public static class Networks
{
    /// <summary>The language-selective units (localized, or the cached mask a lesion ablates).</summary>
    public const string Language = "language";
    public const string TheoryOfMind = "theory-of-mind";
    public const string MultipleDemand = "multiple-demand";
    /// <summary>The lesion control: as many units as the language mask, drawn from outside it.</summary>
    public const string Random = "random";
    /// <summary>No lesion: the intact model.</summary>
    public const string None = "none";

    /// <summary>The networks a localizer exists for (localize's and plot's <c>--network</c>).</summary>
    public static readonly string[] Localized = [Language, TheoryOfMind, MultipleDemand];
    /// <summary>generate_lesion.py's <c>--network</c>: which units to ablate.</summary>
    public static readonly string[] LesionConditions = [Language, Random, None];
    /// <summary>evaluate's default conditions: the baseline first, then the lesion and its control.</summary>
    public static readonly string[] EvaluationOrder = [None, Language, Random];

    public static string ValidateLocalized(string network) => Validate(network, Localized);
    public static string ValidateLesion(string network) => Validate(network, LesionConditions);

    static string Validate(string network, string[] allowed) => allowed.Contains(network)
        ? network
        : throw new LlmLocException($"unknown --network '{network}': use one of {string.Join(", ", allowed)}", ExitCodes.Usage);
}
