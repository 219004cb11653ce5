using System.Net.Http.Headers;
using LlmLoc.Downloads;

namespace LlmLoc.Hub;

/// <summary>
/// The hub's metadata request, on the shared <see cref="DownloadHttp"/> client: a HEAD that follows only same-site
/// (relative) redirects, so that a CDN redirect stays visible, as huggingface_hub does.
/// </summary>
internal static class HubHttp
{
    const int MaxRedirects = 10;

    public static Uri ResolveUrl(string endpoint, string repoId, string revision, string file) =>
        new($"{endpoint}/{repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>HEAD a resolve URL and read the file's metadata; hub errors become one-line exceptions.</summary>
    public static async Task<HeadResult> HeadAsync(Uri url, HubContext hub, string file, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            HttpResponseMessage sent;
            try { sent = await DownloadHttp.SendAsync(request, hub.Settings.Token, hub.Settings.Download.AnswerTimeout, ct); }
            catch (DownloadException e) { throw HubErrors.ForDownload(e, hub, file); }
            using var response = sent;
            int status = (int)response.StatusCode;

            var location = response.Headers.Location;
            if (status is >= 300 and <= 399 && location is not null && !location.IsAbsoluteUri && hop < MaxRedirects)
            {
                url = new Uri(url, location); // a renamed repo: follow within the hub
                continue;
            }
            string? commit = DownloadHttp.Header(response, "X-Repo-Commit");
            string? code = DownloadHttp.Header(response, "X-Error-Code");
            if (status == 404 && code is null or "EntryNotFound")
                return new HeadResult(null, commit);
            if (status >= 400) throw HubErrors.ForStatus(status, code, hub, file);

            if (commit is null || !HubModelId.CommitHash().IsMatch(commit))
                throw new LlmLocException($"{hub.Settings.DisplayEndpoint} answered for {file} of '{hub.Model}' without a valid X-Repo-Commit header; " +
                    "is HF_ENDPOINT a Hugging Face hub?", ExitCodes.RuntimeError);
            string? etag = NormalizeEtag(DownloadHttp.Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.ToString() ?? DownloadHttp.Header(response, "ETag"));
            if (etag is null || etag is "." or ".." || !etag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new LlmLocException($"{hub.Settings.DisplayEndpoint} sent no usable ETag for {file} of '{hub.Model}', so the download " +
                    "cannot be cached reliably; check HF_ENDPOINT", ExitCodes.RuntimeError);
            long? size = long.TryParse(DownloadHttp.Header(response, "X-Linked-Size"), out long linked) ? linked : response.Content.Headers.ContentLength;
            var target = status is >= 300 and <= 399 && location is not null ? location : url;
            return new HeadResult(new HubFileMetadata(commit, etag, target, size), commit);
        }
    }

    /// <summary>ETag header → blob name: drop a weak marker and the quotes.</summary>
    internal static string? NormalizeEtag(string? etag)
    {
        if (etag is null) return null;
        if (etag.StartsWith("W/", StringComparison.Ordinal)) etag = etag[2..];
        etag = etag.Trim('"');
        return etag.Length == 0 ? null : etag;
    }
}
