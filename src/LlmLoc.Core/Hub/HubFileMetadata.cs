namespace LlmLoc.Hub;

/// <summary>What a HEAD on /resolve/ tells about one file (huggingface_hub's HfFileMetadata).</summary>
/// <param name="Commit">X-Repo-Commit: the commit the revision resolved to.</param>
/// <param name="Etag">X-Linked-Etag (sha256 of an LFS file) or ETag (git blob sha1), quotes stripped: the blob's name.</param>
/// <param name="Location">Where to GET the bytes: the redirect target for LFS files (a CDN), else the resolve URL.</param>
/// <param name="Size">X-Linked-Size or Content-Length, if given.</param>
internal sealed record HubFileMetadata(string Commit, string Etag, Uri Location, long? Size)
{
    /// <summary>LFS files are named by their sha256, so their content can be checked against the name.</summary>
    public bool EtagIsSha256 => Etag.Length == 64 && Etag.All(Uri.IsHexDigit);
}

/// <summary>Result of a HEAD: the metadata, or "this file does not exist at this commit" (404 EntryNotFound).</summary>
internal sealed record HeadResult(HubFileMetadata? Metadata, string? CommitOfMissing)
{
    public bool Found => Metadata is not null;
}
