namespace LlmLoc.Platform;

/// <summary>
/// Checks of the paths llmloc writes, made before any model work. Names llmloc makes from a model's name (cache
/// entries) must be valid on every system, so a cache copied between a cluster and a laptop keeps working; paths the
/// user gives (output flags, the cache folder) must be valid on the system llmloc runs on — on Linux a folder named
/// <c>nul</c> is a folder, on Windows it is the null device and would swallow the output.
/// </summary>
public static class OutputPaths
{
    static readonly Lazy<bool> LongPaths = new(WindowsLongPathsEnabled);

    /// <summary>Whether Windows has long paths enabled (the LongPathsEnabled setting); false elsewhere or unreadable.</summary>
    static bool WindowsLongPathsEnabled()
    {
        if (!OperatingSystem.IsWindows()) return false;
        try
        {
            return Microsoft.Win32.Registry.GetValue(@"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\FileSystem", "LongPathsEnabled", 0) is int value
                && value != 0;
        }
        catch (Exception e) when (e is System.Security.SecurityException or IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Fails with the flag named when <paramref name="path"/> (a file or folder to write) cannot exist on this
    /// system: a reserved or invalid name in it, a name over 255, or a path over the system's limit.</summary>
    public static void CheckUserPath(string path, string flag) => CheckUserPath(path, flag, HostOs.Current, LongPaths.Value);

    public static void CheckUserPath(string path, string flag, OsFamily os, bool windowsLongPaths)
    {
        string full = os == HostOs.Current ? Path.GetFullPath(path) : path;
        // The path as given too: Windows' own full-path step drops a trailing dot or space, silently naming another file.
        string? problem = PortableNames.PathProblem(full, os, windowsLongPaths)
            ?? PortableNames.Components(path, os).Select(c => PortableNames.NameProblem(c, os) is { } p ? $"'{c}' is not a valid name on {PortableNames.Describe(os)}: {p}" : null)
                .FirstOrDefault(p => p is not null);
        if (problem is not null)
            throw new LlmLocException($"{flag} {path}: {problem}; choose another path", ExitCodes.Usage);
    }

    /// <summary>
    /// The path of cache entry <paramref name="fileName"/> (named after model <paramref name="modelId"/>) in
    /// <paramref name="cacheDir"/>, after checking that the name is valid on every system, that the path fits this
    /// system's limit, and that the cache holds no entry whose name differs only in case: on macOS and Windows the two
    /// would be one file, so two models would silently share it; llmloc refuses instead, on every system.
    /// </summary>
    public static string CacheEntry(string cacheDir, string modelId, string fileName) =>
        CacheEntry(cacheDir, modelId, fileName, HostOs.Current, LongPaths.Value);

    public static string CacheEntry(string cacheDir, string modelId, string fileName, OsFamily os, bool windowsLongPaths)
    {
        if (PortableNames.PortableNameProblem(fileName) is { } problem)
            throw new LlmLocException($"the model name '{modelId}' makes the cache file name '{fileName}', which is not valid on every system " +
                $"({problem}); copy or rename the model folder to a name without it", ExitCodes.Usage);
        string path = Path.Combine(cacheDir, fileName);
        string full = os == HostOs.Current ? Path.GetFullPath(path) : path;
        if (PortableNames.PathProblem(full, os, windowsLongPaths) is { } tooLong)
            throw new LlmLocException($"the cache file {full} cannot be written here: {tooLong}; use a shorter --cache-dir", ExitCodes.Usage);
        if (CaseTwin(cacheDir, fileName) is { } twin)
            throw new LlmLocException($"the cache {cacheDir} holds '{twin}', whose name differs from this run's '{fileName}' only in case; " +
                "on macOS and Windows they are one file, so two models would share it: use another --cache-dir for one of them, " +
                "or rename one model folder", ExitCodes.Usage);
        return path;
    }

    /// <summary>A file in <paramref name="folder"/> whose name equals <paramref name="fileName"/> ignoring case but not
    /// exactly, or null (on a case-insensitive file system the listing shows the stored spelling).</summary>
    public static string? CaseTwin(string folder, string fileName)
    {
        if (!Directory.Exists(folder)) return null;
        var options = new EnumerationOptions
        {
            MatchCasing = MatchCasing.CaseInsensitive, MatchType = MatchType.Simple, IgnoreInaccessible = true,
            RecurseSubdirectories = false, AttributesToSkip = 0,
        };
        try
        {
            return Directory.EnumerateFileSystemEntries(folder, fileName, options).Select(Path.GetFileName)
                .FirstOrDefault(name => !string.Equals(name, fileName, StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
