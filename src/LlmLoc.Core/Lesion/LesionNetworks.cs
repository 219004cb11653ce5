namespace LlmLoc.Lesion;

/// <summary>generate_lesion.py's <c>--network</c>: which units to ablate.</summary>
public static class LesionNetworks
{
    /// <summary>The language-selective units that <c>localize</c> cached.</summary>
    public const string Language = "language";
    /// <summary>The control: as many units as the language mask, drawn from outside it.</summary>
    public const string Random = "random";
    /// <summary>No lesion: the intact model.</summary>
    public const string None = "none";
    public static readonly string[] All = [Language, Random, None];
    /// <summary>evaluate's default conditions: the baseline first, then the lesion and its control.</summary>
    public static readonly string[] EvaluationOrder = [None, Language, Random];

    public static string Validate(string network) => All.Contains(network)
        ? network
        : throw new LlmLocException($"unknown --network '{network}': use one of {string.Join(", ", All)}", ExitCodes.Usage);
}
