using System.Text.RegularExpressions;

namespace LlmLoc.Masks;

/// <summary>
/// The one <c>--network</c> vocabulary: the networks a localizer exists for (localize, plot, sweeps, and the mask
/// lookups of every verb) and the lesion conditions (none, a network's mask, a random control).
/// </summary>
public static partial class Networks
{
    /// <summary>The language-selective units (localized, or the cached mask a lesion ablates).</summary>
    public const string Language = "language";
    public const string TheoryOfMind = "theory-of-mind";
    public const string MultipleDemand = "multiple-demand";
    /// <summary>The lesion control: as many units as a network's mask (<c>--random-like</c>), drawn from outside it.</summary>
    public const string Random = "random";
    /// <summary>No lesion: the intact model.</summary>
    public const string None = "none";

    /// <summary>The built-in localizers (localize's <c>--network</c>).</summary>
    public static readonly string[] Localized = [Language, TheoryOfMind, MultipleDemand];
    /// <summary>evaluate's default conditions: the baseline first, then the network's lesion (language, or the custom
    /// localizer --localizer names) and its control.</summary>
    public static string[] EvaluationOrder(string network) => [None, network, Random];

    public static bool IsBuiltIn(string network) => Localized.Contains(network);

    /// <summary>A lesion condition: none, random, or a network whose mask is ablated.</summary>
    public static bool IsLesionControl(string condition) => condition is None or Random;

    public static string ValidateLocalized(string network) => IsBuiltIn(network)
        ? network
        : throw new LlmLocException($"unknown --network '{network}': use one of {string.Join(", ", Localized)}", ExitCodes.Usage);

    /// <summary>A network name as a cache name holds it: lower-case letters, digits and '-' (no path characters).</summary>
    public static bool IsName(string network) => NamePattern().IsMatch(network);

    public static string ValidateName(string network) => IsName(network)
        ? network
        : throw new LlmLocException($"--network '{network}' is not a network name: use {string.Join(", ", Localized)} " +
            "or a localizer's name (lower-case letters, digits and '-')", ExitCodes.Usage);

    /// <summary>A lesion condition's name: none, random or a network name.</summary>
    public static string ValidateCondition(string condition) => IsLesionControl(condition) ? condition : ValidateName(condition);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex NamePattern();
}
