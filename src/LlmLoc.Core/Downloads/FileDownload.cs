using System.Net;
using System.Security.Cryptography;

namespace LlmLoc.Downloads;

/// <summary>One file to fetch (a hub blob, a stimuli archive, a BLiMP paradigm) from <paramref name="Url"/> (redirects
/// followed) into <paramref name="Target"/>, named <paramref name="Label"/> in progress lines and messages.</summary>
internal sealed record DownloadRequest(Uri Url, string Target, string Label)
{
    /// <summary>A bearer token, sent to <see cref="Url"/>'s host only.</summary>
    public string? Token { get; init; }
    /// <summary>The size the source announced: more is refused, less is resumed.</summary>
    public long? Size { get; init; }
    /// <summary>The most a download may write when no size was announced (the largest checkpoint files are ~30 GB).</summary>
    public long MaxBytes { get; init; } = 64L << 30;
    /// <summary>The sha256 (lowercase hex) the bytes must have.</summary>
    public string? Sha256 { get; init; }
    /// <summary>A lock file shared with other programs, kept; by default "Target.lock", removed when done.</summary>
    public string? LockPath { get; init; }
    /// <summary>Makes a path safe to write (the hub cache's checks); by default removes a link standing there, so a
    /// planted link never receives the download.</summary>
    public Func<string, string> PrepareWrite { get; init; } = FileDownload.PrepareWrite;
}

/// <summary>
/// The one download path. A file is fetched under an exclusive lock (another process may be fetching it: once it is
/// there, nothing is left to do) into "Target.incomplete", resumed from that file's size with a Range request (after
/// an interrupted run, and when a connection drops or stalls mid-file), checked (size, sha256) and only then renamed
/// into place. Failures are <see cref="DownloadException"/>s; a partial file worth resuming is kept.
/// </summary>
internal static class FileDownload
{
    const int MaxResumes = 5; // huggingface_hub retries a broken stream this many times

    public static async Task FetchAsync(DownloadRequest request, DownloadSettings settings, CancellationToken ct)
    {
        using var fileLock = await LockAsync(request.PrepareWrite(request.LockPath ?? request.Target + ".lock"), request.LockPath is null, ct);
        if (IsPresent(request.Target)) return; // another process finished it while we waited
        string partial = request.PrepareWrite(request.Target + ".incomplete");
        try
        {
            await settings.Progress.RunAsync(request.Label, request.Size, SizeOf(partial),
                report => FetchWithResumeAsync(request, settings, partial, report, ct));
            Verify(request, partial);
            Platform.FileReplace.Move(partial, request.Target);
        }
        catch (IOException e) when (ErrorReport.IsDiskFull(e))
        {
            throw new DownloadException(DownloadFailure.DiskFull, $"the disk is full where it is written ({Path.GetDirectoryName(partial)})", e);
        }
    }

    static async Task FetchWithResumeAsync(DownloadRequest request, DownloadSettings settings, string partial, Action<long> report, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (request.Size is long expected && SizeOf(partial) >= expected)
            {
                if (SizeOf(partial) == expected) return;
                File.Delete(partial);
            }
            try
            {
                bool fitted = await FetchOnceAsync(request, settings, partial, SizeOf(partial), report, ct);
                if (attempt >= MaxResumes || fitted && (request.Size is null || SizeOf(partial) >= request.Size)) return; // Verify reports a short file
                if (!fitted) continue;
            }
            catch (BrokenStreamException e) when (attempt >= MaxResumes)
            {
                throw new DownloadException(DownloadFailure.Unreachable, $"the download of {request.Label} broke off {MaxResumes + 1} times: " +
                    $"{e.Message}; the partial file is kept and the next run resumes it", e);
            }
            catch (BrokenStreamException) { }
            await Task.Delay(settings.RetryDelay, ct);
        }
    }

    /// <summary>One GET into the partial file; false when the server refused our Range (the partial file is then gone).</summary>
    static async Task<bool> FetchOnceAsync(DownloadRequest request, DownloadSettings settings, string partial, long have,
        Action<long> report, CancellationToken ct)
    {
        using var response = await DownloadHttp.GetAsync(request.Url, request.Token, have, settings.AnswerTimeout, ct);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            File.Delete(partial); // our partial file does not fit the server's: start over
            return false;
        }
        // 206 continues the partial file; a 200 means the server ignored the Range header, so start over.
        bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (have > 0 && !append) report(-have);
        long limit = request.Size ?? request.MaxBytes;
        if ((append ? have : 0) + response.Content.Headers.ContentLength > limit) throw TooLarge(request, partial);

        await using var output = settings.OpenPartialFile(partial, append);
        await using var input = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[1 << 16];
        while (true)
        {
            int n;
            using (var timer = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timer.CancelAfter(settings.StallTimeout);
                try { n = await input.ReadAsync(buffer, timer.Token); }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested) { throw new BrokenStreamException(e); }
                catch (Exception e) when (e is IOException or HttpRequestException) { throw new BrokenStreamException(e); }
            }
            if (n == 0) return true;
            if (output.Position + n > limit)
            {
                await output.DisposeAsync();
                throw TooLarge(request, partial);
            }
            await output.WriteAsync(buffer.AsMemory(0, n), ct); // a full disk surfaces here, not as a broken stream
            report(n);
        }
    }

    static DownloadException TooLarge(DownloadRequest request, string partial)
    {
        File.Delete(partial);
        return new(DownloadFailure.TooLarge, (request.Size is { } announced ? $"the server sent more than the {announced} bytes it announced"
            : $"the server sent more than the {request.MaxBytes >> 20} MB limit") + "; the download was stopped and deleted");
    }

    /// <summary>The body stopped arriving (connection dropped or stalled): a Range request can pick up from here.</summary>
    sealed class BrokenStreamException(Exception inner) : Exception(inner.Message, inner);

    static void Verify(DownloadRequest request, string partial)
    {
        if (request.Size is long expected && SizeOf(partial) != expected)
            throw new DownloadException(DownloadFailure.Short, $"the download stopped at {SizeOf(partial)} of {expected} bytes; run again " +
                "to resume (the partial file is kept)");
        if (request.Sha256 is not { } pinned || Sha256Hex(partial) is var actual && actual == pinned) return;
        File.Delete(partial);
        throw new DownloadException(DownloadFailure.Corrupt, $"the file's sha256 is not the pinned one ({actual[..12]}… instead of " +
            $"{pinned[..12]}…): it arrived corrupted and was deleted, run again");
    }

    public static string Sha256Hex(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A file whose content can be read: .NET's File.Exists is true for a dangling link (its blob deleted),
    /// which must count as missing so that it is downloaded again.</summary>
    public static bool IsPresent(string path) =>
        File.Exists(path) && (new FileInfo(path).LinkTarget is null || new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });

    static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    internal static string PrepareWrite(string path)
    {
        if (new FileInfo(path).LinkTarget is not null) File.Delete(path);
        return path;
    }

    /// <summary>An exclusive lock file (<see cref="Platform.FileLocks"/>: an advisory flock on Linux and macOS, like Python's
    /// filelock, a share lock on Windows), waited for with a poll.
    /// <paramref name="removeWhenDone"/> (llmloc's own locks; the hub's are shared with Python and kept): on release the
    /// file goes, and so do the folders made for it if nothing else landed there (a failed first download).</summary>
    public static async Task<IDisposable> LockAsync(string path, bool removeWhenDone, CancellationToken ct)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string? created = null; // the topmost folder this lock makes
        for (string? dir = folder; dir is not null && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir)) created = dir;
        while (true)
        {
            Directory.CreateDirectory(folder); // again when a process waited for removed it
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, removeWhenDone ? FileOptions.DeleteOnClose : 0);
                return removeWhenDone ? new OwnLock(stream, folder, created) : stream;
            }
            catch (IOException e) when (Platform.FileLocks.IsHeldByAnother(e, Platform.HostOs.Current)) { await Task.Delay(200, ct); }
        }
    }

    sealed class OwnLock(FileStream stream, string folder, string? created) : IDisposable
    {
        public void Dispose()
        {
            stream.Dispose();
            for (string dir = folder; created is not null && dir.StartsWith(created, StringComparison.Ordinal)
                 && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any(); dir = Path.GetDirectoryName(dir)!)
                Directory.Delete(dir);
        }
    }
}
