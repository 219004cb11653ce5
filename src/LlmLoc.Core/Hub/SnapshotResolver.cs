using LlmLoc.Downloads;

namespace LlmLoc.Hub;

/// <summary>
/// Turns a hub id into a complete local snapshot folder: straight from the cache when it already holds the checkpoint
/// (no request at all), otherwise by asking the hub file by file and downloading what is missing.
/// </summary>
internal static class SnapshotResolver
{
    public static async Task<string> ResolveAsync(HubContext hub, CancellationToken ct)
    {
        var cache = hub.Cache;
        string? cachedCommit = cache.CommitFor(hub.Model);
        bool weights = !hub.Settings.WithoutWeights;
        if (cachedCommit is not null && IsComplete(cache, cachedCommit, weights)) return cache.SnapshotFolder(cachedCommit);

        bool usable = cachedCommit is not null && IsUsable(cache, cachedCommit, weights);
        if (hub.Settings.Offline)
        {
            if (usable) return cache.SnapshotFolder(cachedCommit!);
            throw new LlmLocException($"model '{hub.Model}' is not in the Hugging Face cache at {hub.Settings.CacheRoot} " +
                $"(missing: {Missing(cache, cachedCommit, weights)}) and offline mode (HF_HUB_OFFLINE=1) forbids downloading it; " +
                "run once with network access, or unset HF_HUB_OFFLINE", ExitCodes.InputError);
        }
        try
        {
            return cache.SnapshotFolder(await DownloadAsync(hub, ct));
        }
        catch (HubUnreachableException e) when (usable)
        {
            hub.Settings.Download.Progress.Note($"{e.Message.Split("; ")[0]}; using the cached snapshot {cachedCommit}");
            return cache.SnapshotFolder(cachedCommit!);
        }
    }

    /// <summary>Nothing left to ask the hub: config, weights, and a settled tokenizer.</summary>
    static bool IsComplete(HubCacheRepo cache, string commit, bool weights) =>
        IsUsable(cache, commit, weights) && CheckpointFiles.TokenizerSettled(cache, commit);

    /// <summary>Enough to load the model: config.json and all the weights (when they are wanted).</summary>
    static bool IsUsable(HubCacheRepo cache, string commit, bool weights) =>
        cache.HasFile(commit, CheckpointFiles.Config) && (!weights || CheckpointFiles.HasWeights(cache.SnapshotFolder(commit)));

    static string Missing(HubCacheRepo cache, string? commit, bool weights)
    {
        if (commit is null) return $"everything: no snapshot of this revision under {cache.Folder}";
        var missing = new List<string>();
        if (!cache.HasFile(commit, CheckpointFiles.Config)) missing.Add(CheckpointFiles.Config);
        if (weights && !CheckpointFiles.HasWeights(cache.SnapshotFolder(commit))) missing.Add("safetensors weights");
        return string.Join(", ", missing);
    }

    /// <summary>Fetches every file of the checkpoint at one commit; returns that commit.</summary>
    static async Task<string> DownloadAsync(HubContext hub, CancellationToken ct)
    {
        var (cache, model, endpoint) = (hub.Cache, hub.Model, hub.Settings.Endpoint);

        // config.json at the requested revision pins the commit; every other file is then asked for at that commit,
        // so a push to the repo mid-download cannot mix two versions.
        var configUrl = HubHttp.ResolveUrl(endpoint, model.RepoId, model.Revision, CheckpointFiles.Config);
        var head = await HubHttp.HeadAsync(configUrl, hub, CheckpointFiles.Config, ct);
        if (head.Metadata is not { } config)
        {
            if (head.CommitOfMissing is { } c && HubModelId.CommitHash().IsMatch(c))
            {
                cache.WriteRef(model.Revision, c);
                cache.MarkMissing(c, CheckpointFiles.Config);
            }
            throw new LlmLocException($"model '{model}' was not found on {hub.Settings.DisplayEndpoint}, or it has no config.json; " +
                "check the id (transformers checkpoints always have a config.json)", ExitCodes.InputError);
        }
        string commit = config.Commit;
        cache.WriteRef(model.Revision, commit);
        await StoreAsync(hub, commit, CheckpointFiles.Config, config, configUrl, ct);

        foreach (var file in CheckpointFiles.Optional)
            await FetchAsync(hub, commit, file, ct);
        if (hub.Settings.WithoutWeights) return commit;

        if (await FetchAsync(hub, commit, CheckpointFiles.SafetensorsSingle, ct)) return commit;
        if (await FetchAsync(hub, commit, CheckpointFiles.SafetensorsIndex, ct))
        {
            foreach (var shard in CheckpointFiles.ShardsOf(cache.PointerPath(commit, CheckpointFiles.SafetensorsIndex)))
                if (!await FetchAsync(hub, commit, shard, ct))
                    throw new LlmLocException($"{CheckpointFiles.SafetensorsIndex} of model '{model}' names shard '{shard}', which the hub " +
                        "does not have; the repository is broken at this revision, try another with @revision", ExitCodes.InputError);
            return commit;
        }
        foreach (var pickle in CheckpointFiles.PickleWeights)
            if (await ExistsAsync(hub, commit, pickle, ct))
                throw new LlmLocException($"model '{model}' has only PyTorch pickle weights ({pickle}), no model.safetensors; llmloc never " +
                    "unpickles (a pickle can run arbitrary code). Convert it once to safetensors, e.g. in Python " +
                    $"`AutoModelForCausalLM.from_pretrained(\"{model.RepoId}\").save_pretrained(\"DIR\", safe_serialization=True)` and pass " +
                    "--model-name DIR, or open a conversion PR with the https://huggingface.co/spaces/safetensors/convert Space and use @refs/pr/N",
                    ExitCodes.RuntimeError);
        throw new LlmLocException($"model '{model}' has neither {CheckpointFiles.SafetensorsSingle} nor {CheckpointFiles.SafetensorsIndex} " +
            "at this revision; llmloc loads transformers checkpoints saved as safetensors", ExitCodes.InputError);
    }

    /// <summary>Makes snapshots/&lt;commit&gt;/&lt;file&gt; present if the repo has the file; false when it does not.</summary>
    static async Task<bool> FetchAsync(HubContext hub, string commit, string file, CancellationToken ct)
    {
        if (hub.Cache.HasFile(commit, file)) return true;
        if (hub.Cache.KnownMissing(commit, file)) return false;
        var url = HubHttp.ResolveUrl(hub.Settings.Endpoint, hub.Model.RepoId, commit, file);
        var head = await HubHttp.HeadAsync(url, hub, file, ct);
        if (head.Metadata is not { } meta)
        {
            hub.Cache.MarkMissing(commit, file);
            return false;
        }
        await StoreAsync(hub, commit, file, meta, url, ct);
        return true;
    }

    static async Task<bool> ExistsAsync(HubContext hub, string commit, string file, CancellationToken ct)
    {
        if (hub.Cache.HasFile(commit, file)) return true;
        if (hub.Cache.KnownMissing(commit, file)) return false;
        var head = await HubHttp.HeadAsync(HubHttp.ResolveUrl(hub.Settings.Endpoint, hub.Model.RepoId, commit, file), hub, file, ct);
        if (!head.Found) hub.Cache.MarkMissing(commit, file);
        return head.Found;
    }

    /// <summary>Downloads the file into blobs/&lt;etag&gt; (checked against its size and, for LFS files, against the sha256
    /// the etag is; locked in .locks/ against other processes, llmloc or Python) and links it into the snapshot.</summary>
    static async Task StoreAsync(HubContext hub, string commit, string file, HubFileMetadata meta, Uri resolveUrl, CancellationToken ct)
    {
        if (hub.Cache.HasFile(commit, file)) return;
        bool newBlob = !FileDownload.IsPresent(hub.Cache.BlobPath(meta.Etag));
        var request = new DownloadRequest(meta.Location, hub.Cache.BlobPath(meta.Etag), file)
        {
            Token = meta.Location == resolveUrl ? hub.Settings.Token : null, // to the hub only, never to the CDN an LFS file redirects to
            Size = meta.Size,
            Sha256 = meta.EtagIsSha256 ? meta.Etag.ToLowerInvariant() : null,
            LockPath = Path.Combine(hub.Cache.LocksFolder, meta.Etag + ".lock"),
            PrepareWrite = hub.Cache.PrepareWrite,
        };
        try { await FileDownload.FetchAsync(request, hub.Settings.Download, ct); }
        catch (DownloadException e) { throw HubErrors.ForDownload(e, hub, file); }
        hub.Cache.LinkPointer(commit, file, meta.Etag, newBlob);
    }
}
