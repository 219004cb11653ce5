using LlmLoc.Stimuli.Download;

namespace LlmLoc.Localization;

/// <summary>
/// Fetches a network's stimuli once when its folder is missing, so a first `llmloc localize` works on a fresh
/// machine. Off with LLMLOC_NO_DOWNLOAD=1; LLMLOC_LANG_STIMULI_URL / LLMLOC_TOM_STIMULI_URL point it at a mirror
/// (the same variables the download scripts read).
/// </summary>
public sealed class StimuliAutoFetch(StimuliSources? sources, bool enabled = true)
{
    public const string DisableVariable = "LLMLOC_NO_DOWNLOAD";

    public bool Enabled { get; } = enabled;

    /// <summary>The auto-fetch the CLI uses: the original's sources unless overridden, disabled by LLMLOC_NO_DOWNLOAD.</summary>
    public static StimuliAutoFetch FromEnvironment()
    {
        bool disabled = Environment.GetEnvironmentVariable(DisableVariable) is { Length: > 0 } v && v != "0";
        return new StimuliAutoFetch(StimuliSources.FromEnvironment(), !disabled);
    }

    /// <summary>The folder (relative to the stimuli folder) a network reads, or null when it needs no files.</summary>
    public static string? FolderOf(string network) => network switch
    {
        Networks.Language => "language",
        Networks.TheoryOfMind => Path.Combine("tom", "tomloc"),
        _ => null,
    };

    /// <summary>
    /// When the network's folder is missing: downloads it (one attempt). A failed download becomes one line that
    /// names the manual fixes. Does nothing when the folder exists (a broken folder is reported by the loader).
    /// </summary>
    public void EnsurePresent(string network, string stimuliDir, TextWriter log)
    {
        if (!Enabled || FolderOf(network) is not { } folder || Directory.Exists(Path.Combine(stimuliDir, folder)))
            return;
        string downloadNetwork = network == Networks.Language ? "language" : "theory-of-mind";
        log.WriteLine($"llmloc: the {network} stimuli are not in {Path.GetFullPath(stimuliDir)}; downloading them once " +
                      $"(set {DisableVariable}=1 to turn this off)");
        try
        {
            new StimuliDownloader(sources).DownloadAsync(downloadNetwork, stimuliDir, log, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (LlmLocException e)
        {
            throw new LlmLocException(
                $"the {network} stimuli are missing and the automatic download failed: {e.Message}. Fix: run `llmloc stimuli download --network {downloadNetwork}` where a network is available, " +
                "or pass --stimuli-dir / set $LLMLOC_STIMULI to a folder holding them", ExitCodes.RuntimeError, e);
        }
    }

}
