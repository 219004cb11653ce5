using System.IO.Compression;
using System.Security.Cryptography;
using LlmLoc.Downloads;
using LlmLoc.IO;

namespace LlmLoc.Stimuli.Download;

/// <summary>
/// Fetches the localizer stimuli from the original project's sources and lays them out as its download scripts do:
/// stimuli/language/*.csv and stimuli/tom/tomloc/{n}{b,p}_{story,question}.txt. Every file is written atomically,
/// the sha256 of every archive and kept file goes to stimuli/SOURCES.sha256, and a complete set is not fetched again.
/// </summary>
public sealed class StimuliDownloader(StimuliSources? sources = null)
{
    readonly StimuliSources _sources = sources ?? StimuliSources.Default;

    /// <summary>The networks that have downloadable stimuli (the arithmetic localizer generates its own).</summary>
    public static IReadOnlyList<string> Networks { get; } = ["language", "theory-of-mind", "all"];

    /// <param name="network">"language", "theory-of-mind" or "all".</param>
    /// <param name="stimuliDir">The stimuli folder (the original's "stimuli").</param>
    /// <param name="log">Receives one line per step.</param>
    public async Task<DownloadResult> DownloadAsync(string network, string stimuliDir, TextWriter log, CancellationToken ct)
    {
        var layouts = network switch
        {
            "language" => [StimuliArchiveLayout.Language],
            "theory-of-mind" => [StimuliArchiveLayout.Tom],
            "all" => new[] { StimuliArchiveLayout.Language, StimuliArchiveLayout.Tom },
            _ => throw new LlmLocException(
                $"unknown network '{network}' for the stimuli download; use language, theory-of-mind or all", ExitCodes.Usage),
        };

        // One download per folder at a time: parallel runs (a sweep's first cells) wait and then find the files, and
        // SOURCES.sha256 has one writer. A failed first download leaves no empty folder behind.
        using var folderLock = await FileDownload.LockAsync(Path.Combine(stimuliDir, ".download.lock"), removeWhenDone: true, ct);
        var ledger = SourcesLedger.Load(stimuliDir);
        List<string> downloaded = [], skipped = [], written = [];
        foreach (var layout in layouts)
        {
            var folder = Path.Combine(stimuliDir, layout.Folder);
            if (IsComplete(layout, stimuliDir, ledger))
            {
                log.WriteLine($"{layout.Network} stimuli already complete in {folder}; nothing to download");
                skipped.Add(layout.Network);
                continue;
            }
            var url = layout.Source(_sources);
            log.WriteLine($"downloading the {layout.Network} stimuli from {Secrets.Redact(url)}");
            // The archive waits in the stimuli folder itself, so an interrupted download resumes and a failed one leaves
            // no network folder behind; it is deleted once extracted, as the original scripts do.
            string archive = Path.Combine(stimuliDir, Path.GetFileName(layout.ArchiveName));
            try
            {
                await FileDownload.FetchAsync(new(url, archive, layout.ArchiveName) { MaxBytes = MaxArchiveBytes }, DownloadSettings.ForData(log), ct);
                var files = Extract(layout, url, archive, stimuliDir, folder);
                ledger.Record(layout.ArchiveName, FileDownload.Sha256Hex(archive));
                foreach (var (relative, hash) in files) ledger.Record(relative, hash);
                ledger.Save();
                written.AddRange(files.Select(f => f.relative));
                downloaded.Add(layout.Network);
                log.WriteLine($"wrote {files.Count} {layout.Network} stimuli files to {folder}");
            }
            catch (DownloadException e) { throw Failure(layout, url, folder, e.Message, e); }
            finally { File.Delete(archive); }
        }
        return new DownloadResult(downloaded, skipped, written);
    }

    /// <summary>
    /// Complete = every required file exists and none contradicts a hash recorded earlier (files put there by hand
    /// have no record and count as they are).
    /// </summary>
    static bool IsComplete(StimuliArchiveLayout layout, string stimuliDir, SourcesLedger ledger) =>
        layout.RequiredFiles.All(name =>
        {
            var relative = layout.Folder + "/" + name;
            var path = Path.Combine(stimuliDir, relative);
            if (!File.Exists(path)) return false;
            var recorded = ledger.Recorded(relative);
            return recorded is null || recorded == FileDownload.Sha256Hex(path);
        });

    static List<(string relative, string hash)> Extract(
        StimuliArchiveLayout layout, Uri url, string archive, string stimuliDir, string folder)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(archive);
        }
        catch (InvalidDataException e)
        {
            throw Failure(layout, url, folder, "the answer is not a zip archive", e);
        }

        using (zip)
        {
            var selected = new SortedDictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
                if (layout.Destination(entry.FullName) is { } destination)
                    selected.TryAdd(destination, entry); // the first copy wins if an archive nests duplicates

            var missing = layout.RequiredFiles.Where(name => !selected.ContainsKey(name)).ToList();
            if (missing.Count > 0)
                throw Failure(layout, url, folder,
                    $"the archive lacks {missing.Count} expected file(s), e.g. {missing[0]}");

            var files = new List<(string relative, string hash)>();
            long extracted = 0;
            var contents = new List<(string relative, byte[] bytes)>();
            foreach (var (destination, entry) in selected)
            {
                byte[] bytes;
                try
                {
                    using var source = entry.Open();
                    // The sizes in the zip's directory can lie: count what actually inflates.
                    bytes = ReadAtMost(source, Math.Min(MaxEntryBytes, MaxExtractedBytes - extracted))
                        ?? throw Failure(layout, url, folder, $"the archive entry {entry.FullName} inflates beyond the {MaxEntryBytes >> 20} MB " +
                            $"per file / {MaxExtractedBytes >> 20} MB total limit (a damaged archive or a zip bomb)");
                    extracted += bytes.Length;
                }
                catch (InvalidDataException e)
                {
                    throw Failure(layout, url, folder, $"the archive entry {entry.FullName} is corrupt", e);
                }
                contents.Add((layout.Folder + "/" + destination, bytes));
            }
            // Every entry inflated within the limits: write them all, or none.
            using var outputs = new OutputSet();
            foreach (var (relative, bytes) in contents)
            {
                outputs.Add(Path.Combine(stimuliDir, relative), bytes);
                files.Add((relative, Convert.ToHexStringLower(SHA256.HashData(bytes))));
            }
            outputs.Commit();
            return files;
        }
    }

    /// <summary>Limits on what a stimuli archive may make llmloc download and write (the real archives are a few MB;
    /// the kept files are CSV and text files of a few kB each).</summary>
    const long MaxArchiveBytes = 512L << 20, MaxEntryBytes = 16L << 20, MaxExtractedBytes = 128L << 20;

    /// <summary>The whole stream, or null when it holds more than <paramref name="limit"/> bytes.</summary>
    static byte[]? ReadAtMost(Stream source, long limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = source.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > limit) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    static StimuliDownloadException Failure(StimuliArchiveLayout layout, Uri url, string folder, string reason, Exception? inner = null) =>
        new(url, reason, $"could not download the {layout.Network} stimuli from {Secrets.Redact(url)}: {reason}; " +
            $"put the files in {folder} by hand or use --stimuli-dir", inner);
}

/// <summary>A failed stimuli download; <see cref="Reason"/> alone lets a caller word its own one-line fix.</summary>
public sealed class StimuliDownloadException(Uri url, string reason, string message, Exception? inner)
    : LlmLocException(message, ExitCodes.RuntimeError, inner)
{
    public Uri Url { get; } = url;
    public string Reason { get; } = reason;
}
