namespace LlmLoc.Platform;

/// <summary>Symbolic links where the system lets this process make them.</summary>
public static class SymbolicLinks
{
    static readonly AsyncLocal<bool> Forbidden = new(); // per test flow: other tests in parallel keep their links

    /// <summary>
    /// Makes <paramref name="link"/> a symbolic link to <paramref name="relativeTarget"/>; false when the system or the
    /// file system does not allow it — on Windows without Developer Mode or administrator rights (the privilege
    /// error), on FAT/exFAT drives and some network shares — so the caller falls back as huggingface_hub does.
    /// </summary>
    public static bool TryCreate(string link, string relativeTarget)
    {
        if (Forbidden.Value) return false;
        try
        {
            File.CreateSymbolicLink(link, relativeTarget);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Behaves as a Windows account without the right to create symbolic links (tests); disposing ends it.</summary>
    internal static IDisposable Forbid()
    {
        Forbidden.Value = true;
        return new Allow();
    }

    sealed class Allow : IDisposable { public void Dispose() => Forbidden.Value = false; }
}
