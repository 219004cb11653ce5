using LlmLoc.Downloads;

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
        string path = PrepareWrite(RefPath(revision));
        if (File.Exists(path) && File.ReadAllText(path) == commit) return;
        File.WriteAllText(path, commit);
    }

    public bool HasFile(string commit, string file) => FileDownload.IsPresent(PointerPath(commit, file));
    public bool KnownMissing(string commit, string file) => File.Exists(NoExistPath(commit, file));

    public void MarkMissing(string commit, string file)
    {
        string path = PrepareWrite(NoExistPath(commit, file));
        if (!File.Exists(path)) File.WriteAllBytes(path, []);
    }

    /// <summary>
    /// Points snapshots/&lt;commit&gt;/&lt;file&gt; at blobs/&lt;etag&gt; with a relative symlink (so the cache survives being moved).
    /// Where symlinks cannot be made (Windows without Developer Mode or administrator rights, FAT drives), it does what
    /// huggingface_hub's <c>_create_symlink</c> does: a blob this run just downloaded (<paramref name="newBlob"/>) is moved
    /// to the snapshot, so the file is on disk once; an older blob, which other snapshots may share, is copied.
    /// </summary>
    public void LinkPointer(string commit, string file, string etag, bool newBlob)
    {
        string pointer = PrepareWrite(PointerPath(commit, file)), blob = BlobPath(etag);
        string dir = Path.GetDirectoryName(pointer)!;
        if (File.Exists(pointer)) File.Delete(pointer);
        if (Platform.SymbolicLinks.TryCreate(pointer, Path.GetRelativePath(dir, blob))) return;
        if (newBlob)
        {
            try { Platform.FileReplace.Move(blob, pointer); return; }
            catch (IOException) when (!File.Exists(blob)) { }
        }
        if (!File.Exists(blob))
            throw new LlmLocException($"the hub cache lost {blob} while '{file}' was being put in its snapshot (another process moved it); run again",
                ExitCodes.RuntimeError);
        File.Copy(blob, pointer, overwrite: true);
    }

    /// <summary>
    /// Makes <paramref name="path"/> safe to write, as the cache may be shared and someone may have planted links in it:
    /// its folder must resolve (symlinks followed) inside the real path of the cache root — the root itself may be a
    /// link, as on clusters — before and after it is created, and a symlink at <paramref name="path"/> itself is removed,
    /// so the write replaces the link instead of going through it.
    /// </summary>
    public string PrepareWrite(string path)
    {
        Directory.CreateDirectory(CacheRoot);
        string root = Platform.RealPaths.Resolve(CacheRoot), folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string existing = folder;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        CheckInside(existing, root);
        Directory.CreateDirectory(folder);
        CheckInside(folder, root);
        return FileDownload.PrepareWrite(path);
    }

    void CheckInside(string folder, string root)
    {
        string real = Platform.RealPaths.Resolve(folder);
        if (!Platform.RealPaths.IsInside(real, root, Platform.HostOs.Current))
            throw new LlmLocException($"the hub cache folder {folder} leads outside the cache ({root}) through a symbolic link (to {real}); " +
                "llmloc does not write there: remove the link from the cache", ExitCodes.RuntimeError);
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
