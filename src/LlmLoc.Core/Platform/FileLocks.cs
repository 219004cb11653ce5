namespace LlmLoc.Platform;

/// <summary>
/// Exclusive lock files (a .NET FileStream with FileShare.None: an advisory flock on Linux and macOS, as Python's
/// filelock takes, a share-mode lock on Windows).
/// </summary>
public static class FileLocks
{
    const int LinuxEwouldblock = 11, MacEwouldblock = 35;
    const int WindowsSharingViolation = unchecked((int)0x80070020), WindowsLockViolation = unchecked((int)0x80070021);

    /// <summary>
    /// Whether opening a lock file failed because another process holds the lock (worth waiting for), rather than for
    /// a reason that will not go away (a read-only or broken cache, a full disk). .NET reports flock's EWOULDBLOCK as
    /// the raw errno (11 on Linux, 35 on macOS) and Windows' sharing or lock violation as its HRESULT.
    /// </summary>
    public static bool IsHeldByAnother(IOException e, OsFamily os) => os switch
    {
        OsFamily.Windows => e.HResult is WindowsSharingViolation or WindowsLockViolation,
        OsFamily.MacOS => e.HResult == MacEwouldblock,
        _ => e.HResult == LinuxEwouldblock,
    };
}
