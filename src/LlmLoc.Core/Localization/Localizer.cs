namespace LlmLoc.Localization;

/// <summary>The localizer pipeline: stimuli → model → recorder → statistics → mask cache.</summary>
public static class Localizer
{
    public static void Run(LocalizeOptions options, TextWriter stdout, TextWriter stderr) =>
        throw new LlmLocException("localize is not wired yet", ExitCodes.RuntimeError);
}
