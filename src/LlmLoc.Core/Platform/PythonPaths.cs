namespace LlmLoc.Platform;

/// <summary>Python's <c>os.path</c> functions the original applies to user input, per system (posixpath / ntpath).</summary>
public static class PythonPaths
{
    /// <summary>
    /// <c>os.path.basename</c>: the part after the last separator — '/' on Linux and macOS; '/' or '\' and a drive
    /// letter on Windows (ntpath), so <c>C:\models\gpt2</c> gives <c>gpt2</c> there. Trailing separators are ignored
    /// (Python would give an empty name, which would make every such model share one cache entry).
    /// </summary>
    public static string Basename(string path, OsFamily os)
    {
        char[] separators = os == OsFamily.Windows ? ['/', '\\'] : ['/'];
        string trimmed = path.TrimEnd(separators);
        if (os == OsFamily.Windows && trimmed.Length >= 2 && trimmed[1] == ':' && char.IsAsciiLetter(trimmed[0]))
            trimmed = trimmed[2..];
        int at = trimmed.LastIndexOfAny(separators);
        return at >= 0 ? trimmed[(at + 1)..] : trimmed;
    }
}
