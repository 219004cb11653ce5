namespace LlmLoc.Stimuli;

public static class StimuliLocation
{
    /// <summary>The stimuli folder when --stimuli-dir is not given: $LLMLOC_STIMULI, else "stimuli" (as the original).</summary>
    public static string Default() =>
        Environment.GetEnvironmentVariable("LLMLOC_STIMULI") is { Length: > 0 } env ? env : "stimuli";

    /// <summary>The folder for a --stimuli-dir value (null = not given), and whether the user named it (flag or $LLMLOC_STIMULI).</summary>
    public static (string Dir, bool Explicit) Resolve(string? flag) =>
        (flag ?? Default(), flag is not null || Environment.GetEnvironmentVariable("LLMLOC_STIMULI") is { Length: > 0 });
}
