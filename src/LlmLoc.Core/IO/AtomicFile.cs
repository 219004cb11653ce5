using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LlmLoc.IO;

/// <summary>Writes files through a temporary sibling and a rename, so an interrupted or parallel run never leaves
/// half a file where a reader (llmloc, numpy, a second process) would find it. Temporary names carry the host and
/// process id (<c>{file}.tmp-{host}-{pid}-{random}</c>), so a later run can tell a dead writer's leftovers from a live
/// writer's work even when several machines share the folder (a Slurm sweep on a network file system).</summary>
public static class AtomicFile
{
    /// <summary>Temporary files this old are removed whoever wrote them (a writer on another host cannot be probed).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    static readonly Regex TempPattern = new(@"\.tmp-(?:(?<host>[^/]+)-)?(?<pid>\d+)-[0-9a-f]{8}$", RegexOptions.Compiled);
    static readonly HashSet<string> Cleaned = [];

    public static void Write(string path, Action<Stream> write)
    {
        using var outputs = new OutputSet();
        outputs.Add(path, write);
        outputs.Commit();
    }

    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, s => s.Write(bytes.Span));

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>A fresh temporary name beside <paramref name="fullPath"/>.</summary>
    internal static string TempName(string fullPath) =>
        $"{fullPath}.tmp-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Removes temporary files left in <paramref name="folder"/> by killed writers: those older than
    /// <see cref="StaleAfter"/>, and those of this host whose process is gone. Runs once per folder per process;
    /// files it cannot remove are left alone.
    /// </summary>
    public static void CleanStaleTemps(string folder)
    {
        string full = Path.GetFullPath(folder);
        lock (Cleaned)
            if (!Cleaned.Add(full)) return;
        if (!Directory.Exists(full)) return;
        try
        {
            foreach (var file in Directory.EnumerateFiles(full, "*.tmp-*"))
            {
                var match = TempPattern.Match(file);
                if (!match.Success) continue;
                bool old = DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > StaleAfter;
                bool deadHere = match.Groups["host"].Value == Environment.MachineName
                    && int.TryParse(match.Groups["pid"].Value, out int pid) && !IsAlive(pid);
                if (old || deadHere)
                    try { File.Delete(file); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try { using var process = Process.GetProcessById(pid); return !process.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>
    /// Fails early, with the flag named, when <paramref name="path"/> cannot become a file: it is a folder, a parent
    /// is a file, or the nearest existing folder does not take a new file (read-only, /proc, ...), or the path cannot
    /// exist on this system (a Windows device name, a name over 255, a path over the limit). Creates nothing.
    /// </summary>
    public static void CheckCanWriteFile(string path, string flag)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new LlmLocException($"{flag} {path} is a folder: give a file path", ExitCodes.Usage);
        CheckNameFits(full, flag);
        CheckCanCreateIn(Path.GetDirectoryName(full)!, flag, path);
    }

    /// <summary>Most file systems take names of at most 255 bytes. An output is first written under its name plus the
    /// temporary suffix (<see cref="TempName"/>), so a name that fits alone can still fail, after the whole computation:
    /// refused up front instead.</summary>
    public static void CheckNameFits(string path, string flag)
    {
        const int MaxNameBytes = 255;
        string full = Path.GetFullPath(path);
        int name = System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(full));
        int suffix = System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(TempName(full))) - name;
        if (name + suffix > MaxNameBytes)
            throw new LlmLocException(
                $"{flag} {path}: the file name is {name} bytes, too long for the temporary name llmloc writes first ({suffix} more bytes, {MaxNameBytes} at most); " +
                $"use a name of at most {MaxNameBytes - suffix} bytes",
                ExitCodes.Usage);
    }

    /// <summary>The same for an output folder (created when missing).</summary>
    public static void CheckCanWriteFolder(string folder, string flag)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full))
            throw new LlmLocException($"{flag} {folder} is a file, not a folder: give a folder path", ExitCodes.Usage);
        CheckCanCreateIn(full, flag, folder);
    }

    /// <summary>
    /// Fails, with the flags named, when an output path is one of the <paramref name="inputs"/> or an earlier output:
    /// outputs are renamed into place at the end, so it would replace that file. Null paths (flags not given) are skipped.
    /// </summary>
    public static void CheckDistinct(IEnumerable<(string Flag, string? Path)> inputs, IEnumerable<(string Flag, string? Path)> outputs)
    {
        var given = inputs.Where(i => i.Path is not null).Select(i => (i.Flag, Full: Path.GetFullPath(i.Path!))).ToList();
        var earlier = new List<(string Flag, string Full)>();
        foreach (var (flag, path) in outputs)
        {
            if (path is null) continue;
            string full = Path.GetFullPath(path);
            foreach (var (inputFlag, input) in given)
                if (full == input)
                    throw new LlmLocException($"{flag} {path} is the {inputFlag} file: choose another name", ExitCodes.Usage);
            foreach (var (outputFlag, output) in earlier)
                if (full == output)
                    throw new LlmLocException($"{flag} {path} is also {outputFlag}: give each output its own file", ExitCodes.Usage);
            earlier.Add((flag, full));
        }
    }

    static void CheckCanCreateIn(string folder, string flag, string given)
    {
        Platform.OutputPaths.CheckUserPath(given, flag);
        string existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new LlmLocException($"{flag} {given}: {existing} is a file, not a folder; give a path in a folder", ExitCodes.Usage);
            existing = Path.GetDirectoryName(existing) ?? throw new LlmLocException($"{flag} {given}: no such location", ExitCodes.Usage);
        }
        // Probing with a real file is the only check that sees read-only mounts, ACLs and pseudo file systems.
        string probe = TempName(Path.Combine(existing, ".llmloc-write-probe"));
        try { using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { } }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LlmLocException($"{flag} {given}: cannot create files in {existing} ({e.Message}); choose a writable location", ExitCodes.Usage);
        }
    }
}

/// <summary>
/// All-or-nothing outputs: every file is first written to a temporary sibling; <see cref="Commit"/> renames them all
/// into place. A failure before the commit leaves no output; a failed rename during it removes the outputs already
/// renamed, so a run leaves all of its files or none. Disposing without a commit removes the temporary files.
/// </summary>
public sealed class OutputSet : IDisposable
{
    readonly List<(string Temp, string Final)> _staged = [];

    public void Add(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        AtomicFile.CleanStaleTemps(folder);
        string temp = AtomicFile.TempName(full);
        _staged.Add((temp, full));
        using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
        write(stream);
        stream.Flush(flushToDisk: true);
    }

    public void Add(string path, byte[] bytes) => Add(path, s => s.Write(bytes));

    public void Commit()
    {
        var done = new List<string>();
        try
        {
            foreach (var (temp, final) in _staged)
            {
                Platform.FileReplace.Move(temp, final);
                done.Add(final);
            }
            _staged.Clear();
        }
        catch
        {
            foreach (var final in done) TryDelete(final);
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var (temp, _) in _staged) TryDelete(temp);
        _staged.Clear();
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
