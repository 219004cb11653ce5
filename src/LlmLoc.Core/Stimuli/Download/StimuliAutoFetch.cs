using LlmLoc.Downloads;
using LlmLoc.Masks;

namespace LlmLoc.Stimuli.Download;

/// <summary>
/// Fetches a network's stimuli once when its folder is missing, so a first `llmloc localize` works on a fresh
/// machine. Off with LLMLOC_NO_DOWNLOAD=1, --offline or HF_HUB_OFFLINE=1; LLMLOC_LANG_STIMULI_URL / LLMLOC_TOM_STIMULI_URL point it at a mirror
/// (the same variables the download scripts read).
/// </summary>
public sealed class StimuliAutoFetch(StimuliSources? sources, bool enabled = true)
{
    /// <summary>The auto-fetch the CLI uses: the original's sources unless overridden, off with --offline
    /// (<paramref name="offline"/>), LLMLOC_NO_DOWNLOAD or HF_HUB_OFFLINE.</summary>
    public static StimuliAutoFetch FromEnvironment(bool offline = false) =>
        new(StimuliSources.FromEnvironment(), enabled: DownloadSettings.DataFetchAllowed(offline));

    /// <summary>The folder (relative to the stimuli folder) a network reads, or null when it needs no files.</summary>
    public static string? FolderOf(string network) => network switch
    {
        Networks.Language => "language",
        Networks.TheoryOfMind => TomStimuli.FolderName,
        _ => null,
    };

    /// <summary>
    /// When the network's folder is missing: downloads it (one attempt) into the default folder. A folder the user
    /// named (<paramref name="explicitDir"/>: --stimuli-dir or $LLMLOC_STIMULI) that does not exist is an error, not
    /// a download. A failed download is one line (what failed, the fix) and leaves no empty folder behind. Does
    /// nothing when the folder exists (a broken folder is reported by the loader).
    /// </summary>
    public void EnsurePresent(string network, string stimuliDir, TextWriter log, bool explicitDir = false)
    {
        if (FolderOf(network) is not { } folder || Directory.Exists(Path.Combine(stimuliDir, folder)))
            return;
        if (explicitDir && !Directory.Exists(stimuliDir))
            throw new LlmLocException($"stimuli folder {stimuliDir} (--stimuli-dir or $LLMLOC_STIMULI) does not exist: " +
                "give the folder that holds language/ and tom/tomloc/, or leave both unset to fetch the stimuli into ./stimuli", ExitCodes.InputError);
        if (!enabled)
            return;
        string downloadNetwork = network == Networks.Language ? "language" : "theory-of-mind";
        log.WriteLine($"llmloc: the {network} stimuli are not in {Path.GetFullPath(stimuliDir)}; downloading them once " +
                      $"(set {DownloadSettings.DisableVariable}=1 to turn this off)");
        try
        {
            new StimuliDownloader(sources).DownloadAsync(downloadNetwork, stimuliDir, log, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (StimuliDownloadException e)
        {
            throw new LlmLocException(
                $"could not download the {network} stimuli from {Secrets.Redact(e.Url.GetLeftPart(UriPartial.Path))} ({e.Reason}): " +
                $"run `llmloc stimuli download --network {downloadNetwork}` once with network access, or point --stimuli-dir at a copy",
                ExitCodes.RuntimeError, e);
        }
    }
}
