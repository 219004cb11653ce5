namespace LlmLoc.Platform;

/// <summary>
/// Renames a finished temporary file over its destination. On Linux and macOS the rename is atomic even when a reader
/// has the old file open (the reader keeps the old content). On Windows the same call (MoveFileEx, replace existing)
/// fails while another program — a reader, a virus scanner, the search indexer — holds the destination open without
/// delete sharing, usually for a moment: it is retried for about two seconds before it is reported.
/// </summary>
public static class FileReplace
{
    const int WindowsAccessDenied = unchecked((int)0x80070005);
    const int WindowsSharingViolation = unchecked((int)0x80070020), WindowsLockViolation = unchecked((int)0x80070021);

    /// <summary>The waits between tries on Windows (1.55 s in all).</summary>
    public static readonly TimeSpan[] WindowsRetryDelays =
        [.. new[] { 50, 100, 200, 400, 800 }.Select(ms => TimeSpan.FromMilliseconds(ms))];

    public static void Move(string temp, string destination) =>
        Move(temp, destination, HostOs.Current, (from, to) => File.Move(from, to, overwrite: true), Thread.Sleep);

    /// <summary>
    /// <see cref="Move(string, string)"/> with the system, the rename and the wait given (tests). A failure that is not
    /// a file held open, or that outlasts the retries, ends in a one-line error naming the file (exit 2).
    /// </summary>
    public static void Move(string temp, string destination, OsFamily os, Action<string, string> rename, Action<TimeSpan> wait)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                rename(temp, destination);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && IsHeldOpen(e, os))
            {
                if (attempt >= WindowsRetryDelays.Length)
                    throw new LlmLocException($"cannot replace {destination}: another program keeps it open ({ErrorText.OneLine(e.Message)}); " +
                        "close it there (or write to another file) and run again", ExitCodes.InputError, e);
                wait(WindowsRetryDelays[attempt]);
            }
        }
    }

    /// <summary>Whether the rename failed because the destination is open elsewhere (Windows only: POSIX renames
    /// never fail for that reason).</summary>
    public static bool IsHeldOpen(Exception e, OsFamily os) =>
        os == OsFamily.Windows && e.HResult is WindowsAccessDenied or WindowsSharingViolation or WindowsLockViolation;
}
