namespace LlmLoc.Platform;

/// <summary>Paths with their symbolic links resolved, the same way on every system.</summary>
public static class RealPaths
{
    /// <summary>
    /// The absolute path with every symbolic link (Windows: also junction) resolved, like POSIX <c>realpath(3)</c>, but
    /// written with .NET's link API so it runs everywhere; trailing parts that do not exist yet are kept as given (the
    /// hub cache checks folders before it creates them), and '..' is applied to the path as written before any link
    /// is followed (.NET's GetFullPath; cache paths have no '..'). Tests compare it with libc's realpath on Linux.
    /// </summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        string result = Path.GetPathRoot(full)!;
        foreach (var part in full[result.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(result, part);
            if (new FileInfo(next).LinkTarget is not null && new FileInfo(next).ResolveLinkTarget(returnFinalTarget: true) is { } target)
                next = Resolve(target.FullName);
            result = next;
        }
        return result;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or inside it, both already resolved, compared
    /// as <paramref name="os"/> compares paths (ignoring case on Windows and macOS).</summary>
    public static bool IsInside(string path, string folder, OsFamily os)
    {
        var comparison = HostOs.PathComparison(os);
        string separator = os == OsFamily.Windows ? "\\" : "/";
        string root = folder.EndsWith(separator, StringComparison.Ordinal) ? folder : folder + separator;
        return string.Equals(path, folder, comparison) || path.StartsWith(root, comparison);
    }
}
