using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LlmLoc.Platform;

public enum OpenOutcome { Opened, Missing, IsLink }

/// <summary>
/// Opening a file in a folder others may write to (a sweep's plan folder) without being fooled by what is planted
/// there. On Linux one <c>open(2)</c> with O_NOFOLLOW (a link fails, no race between check and open) and O_NONBLOCK
/// (a FIFO opens at once instead of hanging); elsewhere — the portable way — the link is detected by its target and
/// the file opened normally. Tests compare the two on Linux.
/// </summary>
public static class SafeOpen
{
    /// <summary>Opens <paramref name="path"/> for reading; unless <paramref name="followLinks"/>, a symbolic link is
    /// reported as <see cref="OpenOutcome.IsLink"/>, not opened.</summary>
    public static (OpenOutcome Outcome, FileStream? Stream) OpenForRead(string path, bool followLinks) =>
        OperatingSystem.IsLinux() ? Linux(path, followLinks) : Portable(path, followLinks);

    internal static (OpenOutcome, FileStream?) Portable(string path, bool followLinks)
    {
        if (!followLinks && new FileInfo(path).LinkTarget is not null) return (OpenOutcome.IsLink, null);
        return File.Exists(path) ? (OpenOutcome.Opened, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)) : (OpenOutcome.Missing, null);
    }

    internal static (OpenOutcome, FileStream?) Linux(string path, bool followLinks)
    {
        int noFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;
        const int ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000;
        int fd = OpenFile(path, ReadOnly | NonBlocking | CloseOnExec | (followLinks ? 0 : noFollow));
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            const int NoEntry = 2, NotADirectory = 20, TooManyLinks = 40;
            if (errno is NoEntry or NotADirectory) return (OpenOutcome.Missing, null);
            if (errno == TooManyLinks) return (OpenOutcome.IsLink, null);
            throw new IOException($"cannot open {path}: {new Win32Exception(errno).Message}", errno);
        }
        return (OpenOutcome.Opened, new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 1));
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    static extern int OpenFile([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
