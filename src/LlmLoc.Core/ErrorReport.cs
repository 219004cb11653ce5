using System.Runtime.InteropServices;

namespace LlmLoc;

/// <summary>
/// Any exception as llmloc reports it (docs/errors.md): one line, credentials masked, and a documented exit code, so no
/// failure ends in a stack trace or the runtime's abort (exit 134). The CLI's last-resort handler prints it and a sweep
/// cell stores it in its error record. Errors llmloc anticipates are <see cref="LlmLocException"/>s worded at their
/// source; the rest are named as well as their type allows.
/// </summary>
public readonly record struct ErrorReport(string Message, int ExitCode)
{
    public static ErrorReport For(Exception e)
    {
        var described = Describe(Unwrap(e));
        return new ErrorReport(Secrets.Redact(ErrorText.OneLine(described.Message)), described.ExitCode);
    }

    static ErrorReport Describe(Exception e) => e switch
    {
        LlmLocException known => new(known.Message, known.ExitCode),
        OperationCanceledException => new("cancelled: interrupted, or a network operation timed out; run again (raise HF_HUB_DOWNLOAD_TIMEOUT for a slow network)", ExitCodes.RuntimeError),
        UnauthorizedAccessException io => new($"permission denied: {io.Message}; check the path and its permissions", ExitCodes.InputError),
        PathTooLongException io => new($"{io.Message}; use a shorter path", ExitCodes.InputError),
        DirectoryNotFoundException io => new($"{io.Message}; check that the folder exists", ExitCodes.InputError),
        FileNotFoundException io => new($"{io.Message}; check the path", ExitCodes.InputError),
        IOException io when IsDiskFull(io) => new($"no space left on the device ({io.Message}); free some space or point the output elsewhere", ExitCodes.InputError),
        IOException io => new($"file system error: {io.Message}; check the paths given and that each output location is a writable folder", ExitCodes.InputError),
        OutOfMemoryException => new("out of memory; use a smaller --batch-size, a smaller model or a machine with more memory", ExitCodes.RuntimeError),
        // Text System.Text.Json parsed but cannot decode (a lone "\ud800" escape) in a JSON input no parsing site checked.
        InvalidOperationException json when IO.JsonStrings.IsBadText(json) => new($"a JSON input holds text that is not valid Unicode, such as a lone UTF-16 surrogate escape (\\ud800); fix or re-download the file", ExitCodes.InputError),
        InsufficientExecutionStackException => new("input too deeply nested; check the input files", ExitCodes.InputError),
        // TorchSharp raises libtorch's errors as ExternalException; Win32Exception (a failed process start) derives from it too.
        ExternalException native when native is not System.ComponentModel.Win32Exception => new($"the tensor library failed: {ErrorText.FirstLine(native.Message)}; check the device, the model files and the free memory", ExitCodes.RuntimeError),
        var other => new($"internal error ({other.GetType().Name}: {ErrorText.FirstLine(other.Message)}); please report it with the command line that caused it", ExitCodes.InternalError),
    };

    static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is { } inner)
            e = inner;
        return e;
    }

    /// <summary>ENOSPC (28) / EDQUOT (122) on Unix, where .NET's HResult is the errno itself (so it is compared whole:
    /// no masking, or ENOTEMPTY 39 would read as Windows' 0x27); ERROR_HANDLE_DISK_FULL / ERROR_DISK_FULL on Windows.</summary>
    public static bool IsDiskFull(IOException e) =>
        e.HResult is 28 or 122 or unchecked((int)0x80070027) or unchecked((int)0x80070070);
}
