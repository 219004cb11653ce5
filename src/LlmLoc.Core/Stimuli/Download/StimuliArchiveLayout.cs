using System.Text.RegularExpressions;

namespace LlmLoc.Stimuli.Download;

/// <summary>
/// One localizer's archive: where its files go under the stimuli folder and which archive entries the original
/// download script keeps.
/// </summary>
internal abstract partial class StimuliArchiveLayout
{
    /// <summary>The network name used on the command line ("language", "theory-of-mind").</summary>
    public abstract string Network { get; }

    /// <summary>The folder the files land in, relative to the stimuli folder, '/'-separated.</summary>
    public abstract string Folder { get; }

    /// <summary>The name the original script saves the archive under (relative to the stimuli folder).</summary>
    public abstract string ArchiveName { get; }

    /// <summary>File names (inside <see cref="Folder"/>) that must exist for the set to count as complete.</summary>
    public abstract IReadOnlyList<string> RequiredFiles { get; }

    /// <summary>Maps a zip entry's full name to its path inside <see cref="Folder"/>, or null to drop it.</summary>
    public abstract string? Destination(string entryName);

    public abstract Uri Source(StimuliSources sources);

    public static StimuliArchiveLayout Language { get; } = new LanguageLayout();
    public static StimuliArchiveLayout Tom { get; } = new TomLayout();

    /// <summary>Rejects absolute paths and ".." so an archive cannot write outside the stimuli folder.</summary>
    protected static bool IsSafeRelative(string entryName) =>
        entryName.Length > 0 && !entryName.StartsWith('/') && !entryName.Contains('\\') && !entryName.Contains(':')
        && entryName.Split('/').All(part => part != "..");

    /// <summary>
    /// The Dropbox folder unzipped into stimuli/language, then (as the original script does) the top-level *.zip,
    /// *.mat, *.m, *.jpeg files and the folders archive_previous_langloc_versions/ and data/ removed; the CSVs stay.
    /// </summary>
    sealed class LanguageLayout : StimuliArchiveLayout
    {
        static readonly string[] DroppedTopLevelExtensions = [".zip", ".mat", ".m", ".jpeg"];
        static readonly string[] DroppedFolders = ["archive_previous_langloc_versions", "data"];

        public override string Network => "language";
        public override string Folder => LanguageStimuli.FolderName;
        public override string ArchiveName => "language/data.zip";
        public override IReadOnlyList<string> RequiredFiles { get; } =
            [.. from run in new[] { 1, 2 } from set in Enumerable.Range(1, 5) select $"langloc_fmri_run{run}_stim_set{set}.csv"];

        public override Uri Source(StimuliSources sources) => sources.LanguageArchive;

        public override string? Destination(string entryName)
        {
            if (!IsSafeRelative(entryName) || entryName.EndsWith('/')) return null;
            var parts = entryName.Split('/');
            if (parts.Length > 1 && DroppedFolders.Contains(parts[0])) return null;
            if (parts.Length == 1 && DroppedTopLevelExtensions.Contains(Path.GetExtension(entryName))) return null;
            return entryName;
        }
    }

    /// <summary>
    /// tomloc.zip: only the stories and questions ({n}b/{n}p _story/_question .txt) are kept, flat in
    /// stimuli/tom/tomloc, wherever the archive nests them; the MATLAB code and everything else is dropped.
    /// </summary>
    sealed partial class TomLayout : StimuliArchiveLayout
    {
        public override string Network => "theory-of-mind";
        public override string Folder => TomStimuli.FolderName;
        public override string ArchiveName => $"{TomStimuli.FolderName}.zip";
        public override IReadOnlyList<string> RequiredFiles { get; } =
            [.. from n in Enumerable.Range(1, 10) from c in "bp" from kind in new[] { "story", "question" } select $"{n}{c}_{kind}.txt"];

        public override Uri Source(StimuliSources sources) => sources.TomArchive;

        public override string? Destination(string entryName)
        {
            if (!IsSafeRelative(entryName) || entryName.EndsWith('/')) return null;
            if (entryName.Split('/').Contains("__MACOSX")) return null;
            var name = entryName[(entryName.LastIndexOf('/') + 1)..];
            return StimulusFile().IsMatch(name) ? name : null;
        }

        [GeneratedRegex(@"^[0-9]+[bp]_(story|question)\.txt$")]
        private static partial Regex StimulusFile();
    }
}
