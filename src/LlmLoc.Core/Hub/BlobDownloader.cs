using System.Net;
using System.Security.Cryptography;

namespace LlmLoc.Hub;

/// <summary>
/// Downloads one file into blobs/&lt;etag&gt;: into "&lt;etag&gt;.incomplete" first, resuming from its size with a Range request
/// (also after a connection drops mid-file), then checks the size and, for LFS files, that the sha256 equals the etag,
/// and only then moves it into place. A lock file in .locks/ keeps two processes (llmloc or Python) off the same blob
/// (<see cref="Platform.FileLocks"/>: an advisory flock on Linux and macOS, as Python's filelock, a share lock on Windows).
/// </summary>
internal static class BlobDownloader
{
    const int MaxResumes = 5; // huggingface_hub retries a broken stream this many times
    /// <summary>The most a download may write when the server announced no size (the largest single checkpoint
    /// files are ~30 GB); with an announced size, that size is the limit.</summary>
    const long UnannouncedSizeCap = 64L << 30;

    public static async Task DownloadAsync(HubContext hub, string file, HubFileMetadata meta, Uri resolveUrl, CancellationToken ct)
    {
        string blob = hub.Cache.BlobPath(meta.Etag), incomplete = blob + ".incomplete";
        using var fileLock = await Platform.FileLocks.AcquireAsync(hub.Cache.PrepareWrite(Path.Combine(hub.Cache.LocksFolder, meta.Etag + ".lock")), ct);
        if (HubCacheRepo.IsPresent(blob)) return; // another process finished it while we waited
        hub.Cache.PrepareWrite(incomplete); // a planted link must not receive the download

        // The token goes to the hub only, never to the CDN an LFS file redirects to.
        bool sendToken = meta.Location == resolveUrl;
        try
        {
            await hub.Progress.RunAsync(file, meta.Size, SizeOf(incomplete),
                report => FetchWithResumeAsync(hub, file, meta, sendToken, incomplete, report, ct));
            Verify(hub, file, meta, incomplete);
            Platform.FileReplace.Move(incomplete, blob);
        }
        catch (IOException e) when (ErrorReport.IsDiskFull(e))
        {
            throw HubErrors.DiskFull(hub, file, e);
        }
    }

    static async Task FetchWithResumeAsync(HubContext hub, string file, HubFileMetadata meta, bool sendToken,
        string incomplete, Action<long> report, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            long have = SizeOf(incomplete);
            if (meta.Size is long expected)
            {
                if (have == expected) return;
                if (have > expected) { File.Delete(incomplete); have = 0; }
            }
            try
            {
                if (!await FetchOnceAsync(hub, file, meta, sendToken, incomplete, have, report, ct) && attempt < MaxResumes) continue;
                if (meta.Size is null || SizeOf(incomplete) >= meta.Size) return;
                if (attempt >= MaxResumes) return; // Verify reports the short file
            }
            catch (BrokenStreamException e)
            {
                if (attempt >= MaxResumes)
                    throw HubErrors.Unreachable(hub, $"the download of {file} broke off {MaxResumes + 1} times: {e.Message}; " +
                        "the partial file is kept and the next run resumes it");
            }
            await Task.Delay(hub.Settings.RetryDelay, ct);
        }
    }

    /// <summary>One GET into the partial file; false when the server refused our Range (the partial file is then gone).</summary>
    static async Task<bool> FetchOnceAsync(HubContext hub, string file, HubFileMetadata meta, bool sendToken,
        string incomplete, long have, Action<long> report, CancellationToken ct)
    {
        using var response = await HubHttp.GetAsync(meta.Location, sendToken, have, hub, file, ct);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            File.Delete(incomplete); // our partial file does not fit the server's: start over
            return false;
        }
        // 206 continues the partial file; a 200 means the server ignored the Range header, so start over.
        bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (have > 0 && !append) report(-have);

        await using var output = hub.Settings.OpenPartialFile(incomplete, append);
        await using var input = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[1 << 16];
        while (true)
        {
            int n;
            using (var timer = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timer.CancelAfter(hub.Settings.DownloadTimeout);
                try { n = await input.ReadAsync(buffer, timer.Token); }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested) { throw new BrokenStreamException(e); }
                catch (Exception e) when (e is IOException or HttpRequestException) { throw new BrokenStreamException(e); }
            }
            if (n == 0) return true;
            long limit = meta.Size ?? UnannouncedSizeCap;
            if (output.Position + n > limit)
            {
                await output.DisposeAsync();
                File.Delete(incomplete);
                throw new LlmLocException(meta.Size is { } announced
                    ? $"the server sent more than the {announced} bytes it announced for '{file}' of model '{hub.Model}'; the download was stopped and deleted: check HF_ENDPOINT or try again later"
                    : $"the server announced no size for '{file}' of model '{hub.Model}' and sent more than {UnannouncedSizeCap >> 30} GiB; the download was stopped and deleted",
                    ExitCodes.RuntimeError);
            }
            await output.WriteAsync(buffer.AsMemory(0, n), ct); // a full disk surfaces here, not as a broken stream
            report(n);
        }
    }

    /// <summary>The body stopped arriving (connection dropped or stalled): a Range request can pick up from here.</summary>
    sealed class BrokenStreamException(Exception inner) : Exception(inner.Message, inner);

    static void Verify(HubContext hub, string file, HubFileMetadata meta, string incomplete)
    {
        long size = SizeOf(incomplete);
        if (meta.Size is long expected && size != expected)
            throw new LlmLocException($"download of '{file}' of model '{hub.Model}' stopped at {size} of {expected} bytes; run again to resume " +
                "(the partial file is kept)", ExitCodes.RuntimeError);
        if (!meta.EtagIsSha256) return;
        string actual;
        using (var stream = File.OpenRead(incomplete)) actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (actual == meta.Etag.ToLowerInvariant()) return;
        File.Delete(incomplete);
        throw new LlmLocException($"'{file}' of model '{hub.Model}' arrived corrupted (sha256 {actual[..12]}… instead of {meta.Etag[..12]}…); " +
            "the bad download was deleted, run again", ExitCodes.RuntimeError);
    }

    static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
