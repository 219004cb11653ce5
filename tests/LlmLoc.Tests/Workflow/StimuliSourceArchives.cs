using System.IO.Compression;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Workflow;

/// <summary>
/// Builds archives laid out like the original sources from the shared stimuli, plus the extra files those sources
/// carry that the download must drop (MATLAB code, images, archived versions, macOS metadata).
/// </summary>
public static class StimuliSourceArchives
{
    public const string LanguagePath = "/sh/c9jhmsy4l9ly2xx/AACQ41zipSZFj9mFbDfJJ9c4a";
    public const string TomPath = "/tomloc.zip";

    public static string LanguageDir => Shared.Path_("stimuli", "language");
    public static string TomDir => Shared.Path_("stimuli", "tom", "tomloc");

    /// <summary>The Dropbox folder zip: entries at the archive root.</summary>
    public static byte[] Language() => Zip(zip =>
    {
        foreach (var csv in Directory.GetFiles(LanguageDir, "*.csv").Order(StringComparer.Ordinal))
            Add(zip, Path.GetFileName(csv), File.ReadAllBytes(csv));
        Add(zip, "langloc_fmri_run1.mat", [1, 2, 3]);
        Add(zip, "langloc_fmri.m", "% MATLAB presentation script"u8.ToArray());
        Add(zip, "hand-press-button.jpeg", [0xFF, 0xD8, 0xFF]);
        Add(zip, "archive_previous_langloc_versions/old_stim_set1.csv", "stim1\n1\n"u8.ToArray());
        Add(zip, "data/subject1.mat", [4, 5]);
    });

    /// <summary>tomloc.zip: a tomloc/ folder with the MATLAB code and the texts in a stimuli/ subfolder.</summary>
    public static byte[] Tom() => Zip(zip =>
    {
        zip.CreateEntry("tomloc/");
        Add(zip, "tomloc/tom_localizer.m", "function tom_localizer(subjID, run)"u8.ToArray());
        Add(zip, "tomloc/behavioural/README.txt", "behavioural files go here"u8.ToArray());
        foreach (var txt in Directory.GetFiles(TomDir, "*.txt").Order(StringComparer.Ordinal))
            Add(zip, "tomloc/stimuli/" + Path.GetFileName(txt), File.ReadAllBytes(txt));
        Add(zip, "__MACOSX/tomloc/stimuli/._1b_story.txt", [0, 5, 22, 7]);
    });

    static byte[] Zip(Action<ZipArchive> fill)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true)) fill(zip);
        return buffer.ToArray();
    }

    static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(bytes);
    }

    /// <summary>Relative path → bytes of every file under a folder, for byte-identity comparisons.</summary>
    public static SortedDictionary<string, byte[]> Snapshot(string root) =>
        new(Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);
}
