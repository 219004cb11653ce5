using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace LlmLoc.Tests.Infrastructure;

/// <summary>One file of a fake repo; LFS files are served through a CDN redirect and named by their sha256.</summary>
public sealed record FakeFile(byte[] Content, bool Lfs)
{
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));
    /// <summary>The git blob id, which the hub sends as ETag for non-LFS files.</summary>
    public string GitSha1 => Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {Content.Length}\0"), .. Content]));
    public string Etag => Lfs ? Sha256 : GitSha1;
}

/// <summary>A fake repo: revisions (branch/tag → commit) and the files of each commit; optionally gated by a token.</summary>
public sealed class FakeRepo
{
    public Dictionary<string, string> Revisions { get; } = new();
    public Dictionary<string, Dictionary<string, FakeFile>> Commits { get; } = new();
    public string? RequiredToken { get; init; }

    public FakeRepo Commit(string commit, Dictionary<string, FakeFile> files, params string[] names)
    {
        Commits[commit] = files;
        foreach (var name in names) Revisions[name] = commit;
        return this;
    }
}

/// <summary>
/// A loopback-only HTTP/1.1 server speaking the hub's download protocol: HEAD/GET /{repo}/resolve/{revision}/{file}
/// with X-Repo-Commit and ETag (X-Linked-Etag/X-Linked-Size + a 302 to /cdn/{sha256} for LFS files), the hub's
/// X-Error-Code answers (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo), Range requests on the CDN,
/// and fault injection (drop a connection halfway, corrupt a blob). One request per connection.
/// </summary>
public sealed class FakeHub : LoopbackServer
{
    readonly Dictionary<string, FakeRepo> repos = new();

    /// <summary>CDN paths (sha256) whose first GET is cut off after half the bytes.</summary>
    public ConcurrentDictionary<string, bool> DropOnce { get; } = new();
    /// <summary>LFS files (sha256) whose announced size (X-Linked-Size) is this instead of their real one.</summary>
    public ConcurrentDictionary<string, long> AnnouncedSize { get; } = new();
    /// <summary>CDN blobs (sha256) served with one byte flipped.</summary>
    public ConcurrentDictionary<string, bool> Corrupt { get; } = new();

    public FakeHub Add(string repoId, FakeRepo repo) { lock (repos) repos[repoId] = repo; return this; }

    protected override async Task Respond(NetworkStream stream, SeenRequest request)
    {
        var path = request.Path.Split('?')[0];
        var parts = path.Trim('/').Split('/');
        bool head = request.Method == "HEAD";

        if (parts.Length == 2 && parts[0] == "cdn")
        {
            await ServeCdn(stream, request, parts[1], head);
            return;
        }
        int resolve = Array.IndexOf(parts, "resolve");
        if (resolve is < 1 or > 2 || parts.Length < resolve + 3)
        {
            await Write(stream, 404, new() { ["X-Error-Code"] = "RepoNotFound" }, [], head);
            return;
        }
        string repoId = string.Join('/', parts[..resolve]);
        string revision = Uri.UnescapeDataString(parts[resolve + 1]);
        string file = string.Join('/', parts[(resolve + 2)..].Select(Uri.UnescapeDataString));

        FakeRepo? repo;
        lock (repos) repos.TryGetValue(repoId, out repo);
        if (repo is null)
        {
            await Write(stream, 404, new() { ["X-Error-Code"] = "RepoNotFound", ["X-Error-Message"] = "Repository not found" }, [], head);
            return;
        }
        if (repo.RequiredToken is { } token && request.Header("Authorization") != $"Bearer {token}")
        {
            int status = request.Header("Authorization") is null ? 401 : 403;
            await Write(stream, status, new() { ["X-Error-Code"] = "GatedRepo", ["X-Error-Message"] = "Access to model is restricted" }, [], head);
            return;
        }
        string? commit = repo.Commits.ContainsKey(revision) ? revision : repo.Revisions.GetValueOrDefault(revision);
        if (commit is null)
        {
            await Write(stream, 404, new() { ["X-Error-Code"] = "RevisionNotFound" }, [], head);
            return;
        }
        if (!repo.Commits[commit].TryGetValue(file, out var fake))
        {
            await Write(stream, 404, new() { ["X-Error-Code"] = "EntryNotFound", ["X-Repo-Commit"] = commit }, [], head);
            return;
        }
        if (fake.Lfs)
        {
            await Write(stream, 302, new()
            {
                ["Location"] = $"{Endpoint}/cdn/{fake.Sha256}",
                ["X-Repo-Commit"] = commit,
                ["X-Linked-Etag"] = $"\"{fake.Sha256}\"",
                ["X-Linked-Size"] = (AnnouncedSize.TryGetValue(fake.Sha256, out long announced) ? announced : fake.Content.Length).ToString(),
                ["ETag"] = $"\"{fake.GitSha1}\"",
            }, [], head);
            return;
        }
        await Write(stream, 200, new() { ["X-Repo-Commit"] = commit, ["ETag"] = $"\"{fake.GitSha1}\"" }, fake.Content, head);
    }

    async Task ServeCdn(NetworkStream stream, SeenRequest request, string sha, bool head)
    {
        FakeFile? blob;
        lock (repos)
            blob = repos.Values.SelectMany(r => r.Commits.Values).SelectMany(c => c.Values).FirstOrDefault(f => f.Lfs && f.Sha256 == sha);
        if (blob is null) { await Write(stream, 404, new(), [], head); return; }

        byte[] content = blob.Content;
        if (Corrupt.ContainsKey(sha)) { content = (byte[])content.Clone(); content[content.Length / 2] ^= 0xFF; }
        await WriteContent(stream, request, content, new(), !head && DropOnce.TryRemove(sha, out _));
    }
}
