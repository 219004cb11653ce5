using LlmLoc.Reporting;

namespace LlmLoc.Downloads;

/// <summary>How long a download waits for an answer's headers (<paramref name="AnswerTimeout"/>) and for the next bytes
/// of a body (<paramref name="StallTimeout"/>; a stalled body is resumed like a dropped one), and where it reports.</summary>
internal sealed record DownloadSettings(TimeSpan AnswerTimeout, TimeSpan StallTimeout, DownloadProgress Progress)
{
    /// <summary>Set (to anything but "0") to forbid the automatic fetches of stimuli and BLiMP.</summary>
    public const string DisableVariable = "LLMLOC_NO_DOWNLOAD";

    /// <summary>The wait before a broken download is resumed: 1 s, as huggingface_hub (tests shorten it).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Opens a download's partial file (path, append?); tests substitute a stream that fails as a full disk does,
    /// which cannot be made otherwise without a device node.</summary>
    public Func<string, bool, Stream> OpenPartialFile { get; init; } = OpenFile;

    internal static Stream OpenFile(string path, bool append) =>
        new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);

    /// <summary>Stimuli and BLiMP: a minute for an answer (Dropbox zips a folder before it answers) and for more bytes.</summary>
    public static DownloadSettings ForData(TextWriter log) => new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), new DownloadProgress(log));

    /// <summary>huggingface_hub's offline switch: HF_HUB_OFFLINE, else TRANSFORMERS_OFFLINE, with its true values.</summary>
    public static bool HubOffline(Func<string, string?> env) =>
        (env("HF_HUB_OFFLINE") is { Length: > 0 } hub ? hub : env("TRANSFORMERS_OFFLINE"))?.ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    /// <summary>Whether the automatic fetches of stimuli and BLiMP may run: not with --offline (<paramref name="offline"/>),
    /// $LLMLOC_NO_DOWNLOAD, or the hub's offline switch (a machine without network has no other source either).</summary>
    public static bool DataFetchAllowed(bool offline = false, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        return !offline && !HubOffline(env) && env(DisableVariable) is null or "" or "0";
    }
}
