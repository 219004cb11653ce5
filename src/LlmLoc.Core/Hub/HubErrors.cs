using LlmLoc.Downloads;

namespace LlmLoc.Hub;

/// <summary>One-line, actionable messages for hub failures. None of them ever include the token.</summary>
internal static class HubErrors
{
    /// <param name="code">The hub's machine-readable error kind (X-Error-Code: RepoNotFound, GatedRepo, EntryNotFound, RevisionNotFound).</param>
    public static LlmLocException ForStatus(int status, string? code, HubContext hub, string file)
    {
        string login = "set HF_TOKEN to a token of an account that has access (or run `huggingface-cli login`)";
        string tokenState = hub.Settings.Token is null ? "no token was found" : "the token that was sent was refused";

        if (code == "RevisionNotFound")
            return new LlmLocException($"revision '{hub.Model.Revision}' of model '{hub.Model.RepoId}' does not exist on {hub.Settings.DisplayEndpoint}; " +
                "check the branch, tag or commit after '@'", ExitCodes.InputError);
        if (code == "RepoNotFound")
            return new LlmLocException($"model '{hub.Model.RepoId}' was not found on {hub.Settings.DisplayEndpoint} ({tokenState}); check the id, " +
                $"or if it is private or gated, {login}", ExitCodes.InputError);
        if (code == "GatedRepo" || status is 401 or 403)
            return new LlmLocException($"access to model '{hub.Model.RepoId}' is restricted (gated or private; HTTP {status}, {tokenState}): " +
                $"accept its licence on {hub.ModelPage} while logged in, then {login}", ExitCodes.RuntimeError);
        if (code == "EntryNotFound" || status == 404)
            return new LlmLocException($"file '{file}' of model '{hub.Model}' was not found on {hub.Settings.DisplayEndpoint}", ExitCodes.InputError);
        return new LlmLocException($"{hub.Settings.DisplayEndpoint} answered HTTP {status} for '{file}' of model '{hub.Model}'; try again later, " +
            "or set HF_HUB_OFFLINE=1 to use only the local cache", ExitCodes.RuntimeError);
    }

    /// <summary>A failed request or blob download, in the hub's words.</summary>
    public static LlmLocException ForDownload(DownloadException e, HubContext hub, string file) => e.Failure switch
    {
        DownloadFailure.Unreachable => new HubUnreachableException($"cannot reach the Hugging Face hub at {hub.Settings.DisplayEndpoint} for model " +
            $"'{hub.Model}' ({ErrorText.OneLine(e.Message).TrimEnd('.')}); check the network or proxy, or set HF_HUB_OFFLINE=1 to use only models already in the cache " +
            $"({hub.Settings.CacheRoot})"),
        DownloadFailure.Refused => ForStatus(e.Status!.Value, e.ErrorCode, hub, file),
        DownloadFailure.DiskFull => new($"the disk is full while downloading '{file}' of model '{hub.Model}' into {hub.Settings.CacheRoot}; free " +
            "space there or point HF_HUB_CACHE (or HF_HOME) at a larger disk, then run again (the download resumes)", ExitCodes.RuntimeError, e),
        _ => new($"could not download '{file}' of model '{hub.Model}' from {hub.Settings.DisplayEndpoint}: {e.Message}", ExitCodes.RuntimeError, e),
    };
}

/// <summary>The hub could not be reached: the caller may still fall back to what the cache has.</summary>
internal sealed class HubUnreachableException(string message) : LlmLocException(message, ExitCodes.RuntimeError);
