using System.CommandLine;

namespace LlmLoc.Cli.Commands;

/// <summary>The flags of the lesion verbs (generate-lesion, evaluate) beyond the mask flags.</summary>
public static class LesionFlags
{
    /// <summary>--random-like: the network whose mask a random control matches in size and avoids.</summary>
    public static Option<string?> RandomLike() => new("--random-like")
    {
        Description = "random controls take as many units as this network's mask, from outside it (default: language, or the one other network evaluated, or --localizer's network)",
    };
}
