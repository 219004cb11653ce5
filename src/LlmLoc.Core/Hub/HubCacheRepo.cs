namespace LlmLoc.Hub;

/// <summary>
/// One model's folder in the hub cache, laid out exactly as huggingface_hub lays it out:
/// <c>models--org--name/{blobs/&lt;etag&gt;, refs/&lt;revision&gt; (commit hash), snapshots/&lt;commit&gt;/&lt;file&gt; → ../../blobs/&lt;etag&gt;,
/// .no_exist/&lt;commit&gt;/&lt;file&gt; (files known to be absent)}</c> plus <c>.locks/models--org--name/&lt;etag&gt;.lock</c> at the root.
/// </summary>
internal sealed class HubCacheRepo(string cacheRoot, HubModelId id)
{
    public string CacheRoot { get; } = cacheRoot;
    public string Folder { get; } = Path.Combine(cacheRoot, id.CacheFolderName);
    public string BlobsFolder => Path.Combine(Folder, "blobs");
    public string LocksFolder => Path.Combine(CacheRoot, ".locks", id.CacheFolderName);

    public string SnapshotFolder(string commit) => Path.Combine(Folder, "snapshots", commit);
    public string BlobPath(string etag) => Path.Combine(BlobsFolder, etag);
    public string PointerPath(string commit, string file) => Path.Combine(SnapshotFolder(commit), RelativeLocalPath(file));
    string NoExistPath(string commit, string file) => Path.Combine(Folder, ".no_exist", commit, RelativeLocalPath(file));
    string RefPath(string revision) => Path.Combine(Folder, "refs", RelativeLocalPath(revision));

    /// <summary>The commit a revision points to: the revision itself if it is a commit hash, else refs/&lt;revision&gt;.</summary>
    public string? CommitFor(HubModelId model)
    {
        if (model.RevisionIsCommit) return model.Revision;
        try
        {
            string path = RefPath(model.Revision);
            if (!File.Exists(path)) return null;
            string commit = File.ReadAllText(path).Trim();
            return HubModelId.CommitHash().IsMatch(commit) ? commit : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>Records revision → commit unless the revision is the commit, rewriting only when it changed.</summary>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit) return;
        string path = RefPath(revision);
        if (File.Exists(path) && File.ReadAllText(path) == commit) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, commit);
    }

    public bool HasFile(string commit, string file) => File.Exists(PointerPath(commit, file));
    public bool KnownMissing(string commit, string file) => File.Exists(NoExistPath(commit, file));

    public void MarkMissing(string commit, string file)
    {
        string path = NoExistPath(commit, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path)) File.WriteAllBytes(path, []);
    }

    /// <summary>
    /// Points snapshots/&lt;commit&gt;/&lt;file&gt; at blobs/&lt;etag&gt; with a relative symlink (so the cache survives being moved),
    /// falling back to a copy where symlinks are not supported, as huggingface_hub does.
    /// </summary>
    public void LinkPointer(string commit, string file, string etag)
    {
        string pointer = PointerPath(commit, file), blob = BlobPath(etag);
        string dir = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(dir);
        if (File.Exists(pointer) || new FileInfo(pointer).LinkTarget is not null) File.Delete(pointer);
        try { File.CreateSymbolicLink(pointer, Path.GetRelativePath(dir, blob)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, pointer, overwrite: true);
        }
    }

    /// <summary>A repo-relative path ("a/b.json") as a local path, refusing anything that would leave the folder.</summary>
    internal static string RelativeLocalPath(string repoPath)
    {
        var parts = repoPath.Split('/');
        if (repoPath.Contains('\\') || parts.Any(p => p is "" or "." or ".."))
            throw new LlmLocException($"the hub named a file '{repoPath}' that is not a plain relative path; refusing to write it",
                ExitCodes.RuntimeError);
        return Path.Combine(parts);
    }
}
