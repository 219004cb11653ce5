namespace LlmLoc.Platform;

/// <summary>
/// The operating systems whose rules llmloc follows. Every decision that differs between them takes an
/// <see cref="OsFamily"/> argument, so the Windows and macOS paths of pure logic (names, paths, error codes) are
/// tested on Linux too; <see cref="HostOs.Current"/> is the one place that asks the running system.
/// </summary>
public enum OsFamily { Linux, MacOS, Windows }

public static class HostOs
{
    /// <summary>The system llmloc runs on (other Unixes follow Linux's rules).</summary>
    public static OsFamily Current { get; } =
        OperatingSystem.IsWindows() ? OsFamily.Windows : OperatingSystem.IsMacOS() ? OsFamily.MacOS : OsFamily.Linux;

    /// <summary>Whether two paths that differ only in case name one file: Windows' and macOS' default file systems
    /// (NTFS, APFS) ignore case; Linux's do not.</summary>
    public static bool IgnoresCase(OsFamily os) => os != OsFamily.Linux;

    /// <summary>How paths are compared on <paramref name="os"/>.</summary>
    public static StringComparison PathComparison(OsFamily os) =>
        IgnoresCase(os) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
}
