using System.Text;

namespace LlmLoc.Platform;

/// <summary>
/// Which file names and paths each system accepts. Windows' rules are Python 3.13's <c>ntpath.isreserved</c>
/// (device names such as CON, NUL, COM1 — also before an extension or trailing spaces —, the characters
/// <c>&lt;&gt;:"/\|?*</c> and control characters, a trailing dot or space); every system limits a name to 255 units
/// (UTF-16 code units on Windows, UTF-8 bytes on Linux and macOS) and a whole path to its own limit.
/// </summary>
public static class PortableNames
{
    public const int MaxNameLength = 255;

    static readonly HashSet<string> WindowsDevices = new(StringComparer.Ordinal)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    const string WindowsForbiddenCharacters = "<>:\"/\\|?*";

    /// <summary>Why <paramref name="name"/> (one path component) cannot be a file or folder name on
    /// <paramref name="os"/>, or null when it can.</summary>
    public static string? NameProblem(string name, OsFamily os)
    {
        if (name.Length == 0) return "it is empty";
        if (os == OsFamily.Windows)
        {
            if (name.IndexOfAny(WindowsForbiddenCharacters.ToCharArray()) is int at and >= 0)
                return $"Windows forbids the character '{name[at]}' in file names";
            if (name.Any(c => c < 32))
                return "Windows forbids control characters in file names";
            if (name[^1] is '.' or ' ' && name is not ("." or ".."))
                return $"Windows drops a trailing {(name[^1] == '.' ? "dot" : "space")} from file names";
            if (WindowsDevices.Contains(name.Split('.')[0].TrimEnd(' ').ToUpperInvariant()))
                return $"'{name.Split('.')[0].TrimEnd(' ')}' is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9), not a file";
            if (name.Length > MaxNameLength)
                return $"it is {name.Length} characters long, more than the {MaxNameLength} Windows allows in a name";
            return null;
        }
        if (name.Contains('/') || name.Contains('\0')) return "it contains '/' or a NUL character";
        int bytes = Encoding.UTF8.GetByteCount(name);
        return bytes > MaxNameLength ? $"it is {bytes} bytes long (UTF-8), more than the {MaxNameLength} a file name may have" : null;
    }

    /// <summary>Why <paramref name="name"/> is not a valid name on every system llmloc runs on, or null.</summary>
    public static string? PortableNameProblem(string name) =>
        NameProblem(name, OsFamily.Windows) ?? NameProblem(name, OsFamily.Linux);

    /// <summary>The longest full path <paramref name="os"/> opens: PATH_MAX less its NUL (4095 bytes on Linux, 1023 on
    /// macOS); on Windows MAX_PATH less its NUL (259 characters), or 32,767 when long paths are enabled (the
    /// LongPathsEnabled setting, without which Python and most Windows programs cannot open longer paths).</summary>
    public static int MaxPathLength(OsFamily os, bool windowsLongPaths) => os switch
    {
        OsFamily.Windows => windowsLongPaths ? 32_767 : 259,
        OsFamily.MacOS => 1023,
        _ => 4095,
    };

    /// <summary>Why the absolute path <paramref name="fullPath"/> cannot be used on <paramref name="os"/> (a component
    /// that is not a valid name there, or a path longer than the system's limit), or null.</summary>
    public static string? PathProblem(string fullPath, OsFamily os, bool windowsLongPaths = false)
    {
        int length = os == OsFamily.Windows ? fullPath.Length : Encoding.UTF8.GetByteCount(fullPath);
        int max = MaxPathLength(os, windowsLongPaths);
        if (length > max)
            return $"the path is {length} {(os == OsFamily.Windows ? "characters" : "bytes")} long, more than the {max} {Describe(os)} allows" +
                (os == OsFamily.Windows && !windowsLongPaths ? " (without long paths enabled)" : "");
        foreach (var component in Components(fullPath, os))
            if (NameProblem(component, os) is { } problem)
                return $"'{component}' is not a valid name on {Describe(os)}: {problem}";
        return null;
    }

    /// <summary>The names a full path is made of, without its root (/, C:\, \\server\share\ or \\?\).</summary>
    internal static IEnumerable<string> Components(string fullPath, OsFamily os)
    {
        if (os != OsFamily.Windows) return fullPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(c => c is not ("." or ".."));
        string rest = fullPath;
        if (rest.StartsWith(@"\\?\", StringComparison.Ordinal) || rest.StartsWith(@"\\.\", StringComparison.Ordinal)) rest = rest[4..];
        var parts = rest.Split('\\', '/').ToList();
        if (parts.Count > 0 && parts[0].Length == 2 && parts[0][1] == ':' && char.IsAsciiLetter(parts[0][0])) parts.RemoveAt(0);
        else if (fullPath.StartsWith(@"\\", StringComparison.Ordinal) && !fullPath.StartsWith(@"\\?\", StringComparison.Ordinal))
            parts = parts.SkipWhile(p => p.Length == 0).Skip(2).ToList(); // \\server\share
        return parts.Where(p => p is not ("" or "." or ".."));
    }

    public static string Describe(OsFamily os) => os switch { OsFamily.Windows => "Windows", OsFamily.MacOS => "macOS", _ => "Linux" };
}
