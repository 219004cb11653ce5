using System.Net;
using System.Net.Http.Headers;

namespace LlmLoc.Hub;

/// <summary>
/// HTTP with the hub's conventions. One shared client that never follows redirects on its own: metadata HEADs follow
/// only same-site (relative) redirects so a CDN redirect stays visible, as huggingface_hub does.
/// </summary>
internal static class HubHttp
{
    const int MaxRedirects = 10;

    static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public static Uri ResolveUrl(string endpoint, string repoId, string revision, string file) =>
        new($"{endpoint}/{repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>HEAD a resolve URL and read the file's metadata; hub errors become one-line exceptions.</summary>
    public static async Task<HeadResult> HeadAsync(Uri url, HubContext hub, string file, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            AddHeaders(request, hub.Settings.Token);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            using var response = await SendAsync(request, hub, hub.Settings.EtagTimeout, ct);
            int status = (int)response.StatusCode;

            var location = response.Headers.Location;
            if (status is >= 300 and <= 399 && location is not null && !location.IsAbsoluteUri && hop < MaxRedirects)
            {
                url = new Uri(url, location); // a renamed repo: follow within the hub
                continue;
            }
            string? commit = Header(response, "X-Repo-Commit");
            if (status == 404 && HubErrors.ErrorCode(response) is null or "EntryNotFound")
                return new HeadResult(null, commit);
            if (status >= 400) throw HubErrors.ForStatus(response, hub, file);

            if (commit is null || !HubModelId.CommitHash().IsMatch(commit))
                throw new LlmLocException($"{hub.Settings.DisplayEndpoint} answered for {file} of '{hub.Model}' without a valid X-Repo-Commit header; " +
                    "is HF_ENDPOINT a Hugging Face hub?", ExitCodes.RuntimeError);
            string? etag = NormalizeEtag(Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.ToString() ?? Header(response, "ETag"));
            if (etag is null || etag is "." or ".." || !etag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new LlmLocException($"{hub.Settings.DisplayEndpoint} sent no usable ETag for {file} of '{hub.Model}', so the download " +
                    "cannot be cached reliably; check HF_ENDPOINT", ExitCodes.RuntimeError);
            long? size = long.TryParse(Header(response, "X-Linked-Size"), out long linked) ? linked : response.Content.Headers.ContentLength;
            var target = status is >= 300 and <= 399 && location is not null ? location : url;
            return new HeadResult(new HubFileMetadata(commit, etag, target, size), commit);
        }
    }

    /// <summary>GET (optionally from byte <paramref name="from"/>), following redirects; auth only to the hub itself.</summary>
    public static async Task<HttpResponseMessage> GetAsync(Uri url, bool withToken, long from, HubContext hub, string file, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            AddHeaders(request, withToken ? hub.Settings.Token : null);
            if (from > 0) request.Headers.Range = new RangeHeaderValue(from, null);
            var response = await SendAsync(request, hub, hub.Settings.EtagTimeout, ct, HttpCompletionOption.ResponseHeadersRead);
            int status = (int)response.StatusCode;
            if (status is >= 300 and <= 399 && response.Headers.Location is { } location && hop < MaxRedirects)
            {
                var next = new Uri(url, location);
                withToken &= next.Authority == url.Authority; // never hand the token to another host
                url = next;
                response.Dispose();
                continue;
            }
            if (status >= 400 && status != 416)
            {
                using (response) throw HubErrors.ForStatus(response, hub, file);
            }
            return response;
        }
    }

    static async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HubContext hub, TimeSpan timeout,
        CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        hub.RequestCount++;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try { return await Client.SendAsync(request, completion, timer.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw HubErrors.Unreachable(hub, $"no answer within {timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            throw HubErrors.Unreachable(hub, e.Message);
        }
    }

    static void AddHeaders(HttpRequestMessage request, string? token)
    {
        request.Headers.UserAgent.ParseAdd("llmloc/1.0");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    internal static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    /// <summary>ETag header → blob name: drop a weak marker and the quotes.</summary>
    internal static string? NormalizeEtag(string? etag)
    {
        if (etag is null) return null;
        if (etag.StartsWith("W/", StringComparison.Ordinal)) etag = etag[2..];
        etag = etag.Trim('"');
        return etag.Length == 0 ? null : etag;
    }
}
