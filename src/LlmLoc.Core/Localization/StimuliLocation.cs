namespace LlmLoc.Localization;

public static class StimuliLocation
{
    /// <summary>The stimuli folder when --stimuli-dir is not given: $LLMLOC_STIMULI, else "stimuli" (as the original).</summary>
    public static string Default() =>
        Environment.GetEnvironmentVariable("LLMLOC_STIMULI") is { Length: > 0 } env ? env : "stimuli";
}
