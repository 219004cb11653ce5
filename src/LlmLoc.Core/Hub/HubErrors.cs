namespace LlmLoc.Hub;

/// <summary>One-line, actionable messages for hub failures. None of them ever include the token.</summary>
internal static class HubErrors
{
    /// <summary>The hub's machine-readable error kind (RepoNotFound, GatedRepo, EntryNotFound, RevisionNotFound).</summary>
    public static string? ErrorCode(HttpResponseMessage response) => HubHttp.Header(response, "X-Error-Code");

    public static LlmLocException ForStatus(HttpResponseMessage response, HubContext hub, string file)
    {
        int status = (int)response.StatusCode;
        string? code = ErrorCode(response);
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

    public static LlmLocException Unreachable(HubContext hub, string reason) =>
        new HubUnreachableException($"cannot reach the Hugging Face hub at {hub.Settings.DisplayEndpoint} for model '{hub.Model}' ({ErrorText.OneLine(reason).TrimEnd('.')}); check the network " +
            $"or proxy, or set HF_HUB_OFFLINE=1 to use only models already in the cache ({hub.Settings.CacheRoot})");

    public static LlmLocException DiskFull(HubContext hub, string file, IOException e) =>
        new($"the disk is full while downloading '{file}' of model '{hub.Model}' into {hub.Settings.CacheRoot}; free space there or point " +
            "HF_HUB_CACHE (or HF_HOME) at a larger disk, then run again (the download resumes)", ExitCodes.RuntimeError, e);
}

/// <summary>The hub could not be reached: the caller may still fall back to what the cache has.</summary>
internal sealed class HubUnreachableException(string message) : LlmLocException(message, ExitCodes.RuntimeError);
