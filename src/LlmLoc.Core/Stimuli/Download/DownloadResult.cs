namespace LlmLoc.Stimuli.Download;

/// <summary>What one <see cref="StimuliDownloader.DownloadAsync"/> call did.</summary>
/// <param name="Downloaded">Networks fetched and extracted by this call ("language", "theory-of-mind").</param>
/// <param name="Skipped">Networks whose files were already complete (nothing fetched).</param>
/// <param name="FilesWritten">Paths of the stimuli files written, relative to the stimuli folder, '/'-separated.</param>
public sealed record DownloadResult(
    IReadOnlyList<string> Downloaded,
    IReadOnlyList<string> Skipped,
    IReadOnlyList<string> FilesWritten);
