using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LlmLoc.IO;

/// <summary>
/// Files in folders llmloc does not own (a plan's folder, shared on a cluster): read without following a link planted
/// where the file goes, never hanging on a FIFO, and never more than a bound; created only as new files, after removing
/// whatever stands at the path (a link is removed, not followed), so a write never lands outside the intended place.
/// </summary>
public static class UntrustedFile
{
    /// <summary>The bytes of <paramref name="path"/>, or null when there is no file there. A link, a FIFO, a socket or a
    /// device, or more than <paramref name="maxBytes"/>, is a one-line input error naming <paramref name="what"/>.</summary>
    public static byte[]? ReadBounded(string path, long maxBytes, string what)
    {
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
            throw Refused(what, path, "is a folder, not a file");
        using var stream = Open(path, what, followLinks: false);
        if (stream is null) return null;
        if (!stream.CanSeek)
            throw Refused(what, path, "is not a regular file (a FIFO, socket or device)");
        if (stream.Length > maxBytes)
            throw Refused(what, path, $"is {stream.Length} bytes, more than the {maxBytes} such a file can hold");
        var buffer = new byte[(int)Math.Min(maxBytes + 1, stream.Length + 4096)];
        int total = 0, read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            total += read;
        if (total > maxBytes)
            throw Refused(what, path, $"holds more than the {maxBytes} bytes such a file can hold");
        return buffer[..total];
    }

    /// <summary>Opens a regular file for reading, following links (a cache may be a farm of links), but never waiting
    /// on a FIFO or reading a device: those are one-line input errors. A missing file is a "not found" input error.</summary>
    public static FileStream OpenRegular(string path, string what)
    {
        if (Directory.Exists(path))
            throw new LlmLocException($"{what} {path} is a folder, not a file: give a file", ExitCodes.InputError);
        var stream = Open(path, what, followLinks: true)
            ?? throw new LlmLocException($"file not found: {path}", ExitCodes.InputError);
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new LlmLocException($"{what} {path} is not a regular file (a FIFO, socket or device): give a file", ExitCodes.InputError);
        }
        return stream;
    }

    /// <summary>A new, empty file at <paramref name="path"/> for writing: a link or file standing there is removed first
    /// (the link itself, never its target), and the file is created exclusively (O_CREAT|O_EXCL never follows a link).</summary>
    public static FileStream CreateFresh(string path)
    {
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
            throw new LlmLocException($"{path} is a folder where llmloc writes a file: remove or rename it", ExitCodes.InputError);
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            File.Delete(path);
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
    }

    /// <summary>A folder llmloc writes into, created when missing; a symbolic link there is refused, since files
    /// created through it would land wherever it points.</summary>
    public static string RealFolder(string path, string what)
    {
        if (new DirectoryInfo(path).LinkTarget is { } target)
            throw new LlmLocException($"{what} {path} is a symbolic link (to {target}): llmloc writes only into a real folder there; remove the link", ExitCodes.InputError);
        if (File.Exists(path))
            throw new LlmLocException($"{what} {path} is a file, not a folder: remove or rename it", ExitCodes.InputError);
        Directory.CreateDirectory(path);
        return path;
    }

    static LlmLocException Refused(string what, string path, string problem) =>
        new($"{what} {path} {problem}: remove it (llmloc writes a new one when needed)", ExitCodes.InputError);

    /// <summary>Opens for reading (<see cref="Platform.SafeOpen"/>): with O_NONBLOCK on Linux (a FIFO opens at once) and, unless <paramref name="followLinks"/>,
    /// O_NOFOLLOW (a link fails); null when nothing is there. Elsewhere a link is detected by its target and the file
    /// opened normally.</summary>
    static FileStream? Open(string path, string what, bool followLinks)
    {
        var (outcome, stream) = Platform.SafeOpen.OpenForRead(path, followLinks);
        if (outcome == Platform.OpenOutcome.IsLink) throw Refused(what, path, "is a symbolic link");
        return stream;
    }
}
