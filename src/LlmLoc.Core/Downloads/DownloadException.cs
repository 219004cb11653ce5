namespace LlmLoc.Downloads;

internal enum DownloadFailure { Unreachable, Refused, TooLarge, Short, Corrupt, DiskFull }

/// <summary>Why a download failed, as a clause ("HTTP 404 (Not Found)", "no answer within 10 s") that each caller
/// words into its own one-line error with its own fix.</summary>
internal sealed class DownloadException(DownloadFailure failure, string reason, Exception? inner = null)
    : LlmLocException(reason, ExitCodes.RuntimeError, inner)
{
    public DownloadFailure Failure { get; } = failure;
    /// <summary>Refused: the HTTP status, and the hub's machine-readable error kind (X-Error-Code) if it sent one.</summary>
    public int? Status { get; private init; }
    public string? ErrorCode { get; private init; }

    public static DownloadException Refused(HttpResponseMessage response) =>
        new(DownloadFailure.Refused, $"HTTP {(int)response.StatusCode} ({response.ReasonPhrase})")
        { Status = (int)response.StatusCode, ErrorCode = DownloadHttp.Header(response, "X-Error-Code") };
}
