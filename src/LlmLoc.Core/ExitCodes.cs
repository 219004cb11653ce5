namespace LlmLoc;

/// <summary>Process exit codes of the llmloc CLI (documented in docs/errors.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Bad command line: unknown flag, malformed value, value out of range.</summary>
    public const int Usage = 1;
    /// <summary>Bad input data: missing or malformed stimuli, masks, model folders, files.</summary>
    public const int InputError = 2;
    /// <summary>Model or runtime failure: unsupported model, corrupt checkpoint, network/download errors.</summary>
    public const int RuntimeError = 3;
    /// <summary>A failure llmloc did not anticipate (a bug): still one line, never a stack trace.</summary>
    public const int InternalError = 4;
}
