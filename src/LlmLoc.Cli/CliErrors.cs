using System.Runtime.InteropServices;

namespace LlmLoc.Cli;

/// <summary>
/// The last-resort translation of any exception into one line and a documented exit code (docs/errors.md), so no
/// failure ends in a stack trace or the runtime's abort (exit 134). Errors llmloc anticipates are
/// <see cref="LlmLocException"/>s worded at their source; this only names the rest as well as their type allows.
/// </summary>
public static class CliErrors
{
    public static LlmLocException Describe(Exception e) => Unwrap(e) switch
    {
        LlmLocException known => known,
        OperationCanceledException => new("cancelled: interrupted, or a network operation timed out; run again (raise HF_HUB_DOWNLOAD_TIMEOUT for a slow network)", ExitCodes.RuntimeError),
        UnauthorizedAccessException io => new($"permission denied: {io.Message}; check the path and its permissions", ExitCodes.InputError),
        PathTooLongException io => new($"{io.Message}; use a shorter path", ExitCodes.InputError),
        DirectoryNotFoundException io => new($"{io.Message}; check that the folder exists", ExitCodes.InputError),
        FileNotFoundException io => new($"{io.Message}; check the path", ExitCodes.InputError),
        IOException io when IsDiskFull(io) => new($"no space left on the device ({io.Message}); free some space or point the output elsewhere", ExitCodes.InputError),
        IOException io => new($"file system error: {io.Message}; check the paths given and that each output location is a writable folder", ExitCodes.InputError),
        OutOfMemoryException => new("out of memory; use a smaller --batch-size, a smaller model or a machine with more memory", ExitCodes.RuntimeError),
        InsufficientExecutionStackException => new("input too deeply nested; check the input files", ExitCodes.InputError),
        ExternalException native => new($"the tensor library failed: {ErrorText.FirstLine(native.Message)}; check the device, the model files and the free memory", ExitCodes.RuntimeError),
        var other => new($"internal error ({other.GetType().Name}: {ErrorText.FirstLine(other.Message)}); please report it with the command line that caused it", ExitCodes.InternalError),
    };

    static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is { } inner)
            e = inner;
        return e;
    }

    // ENOSPC (28) / EDQUOT (122) on Linux; HResult carries errno for Unix IOExceptions; Windows: 0x70 / 0x27.
    static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 122 or 0x70 or 0x27;
}
