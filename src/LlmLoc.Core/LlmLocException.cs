namespace LlmLoc;

/// <summary>
/// An error the user can fix. The CLI prints its message as one line ("llmloc: error: ...") and exits with
/// <see cref="ExitCode"/>; the message names the problem and the fix.
/// </summary>
public class LlmLocException(string message, int exitCode = ExitCodes.InputError, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
