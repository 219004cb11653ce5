using System.Net;
using System.Net.Http.Headers;

namespace LlmLoc.Downloads;

/// <summary>
/// The one HTTP client of every download (hub, stimuli, BLiMP). It never follows a redirect on its own, so that the
/// hub sees where an LFS file is served from and a token never reaches another host, and never decompresses, so
/// sizes and hashes are those of the bytes served.
/// </summary>
internal static class DownloadHttp
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

    /// <summary>Sends a request as llmloc (with a bearer <paramref name="token"/>, if any), waiting at most
    /// <paramref name="timeout"/> for the answer's headers; no answer is an Unreachable <see cref="DownloadException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? token, TimeSpan timeout, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        request.Headers.UserAgent.ParseAdd("llmloc/1.0");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try { return await Client.SendAsync(request, completion, timer.Token); }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new DownloadException(DownloadFailure.Unreachable, $"no answer within {timeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new DownloadException(DownloadFailure.Unreachable, e.HttpRequestError == HttpRequestError.NameResolutionError
                ? "no network (name resolution failed)" : ErrorText.OneLine(e.Message).TrimEnd('.'), e);
        }
    }

    /// <summary>GET from byte <paramref name="from"/> on, following redirects (never from https to http); the token
    /// goes only to the host it was given for. An answer other than 2xx or 416 is a Refused <see cref="DownloadException"/>.</summary>
    public static async Task<HttpResponseMessage> GetAsync(Uri url, string? token, long from, TimeSpan timeout, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (from > 0) request.Headers.Range = new RangeHeaderValue(from, null);
            var response = await SendAsync(request, token, timeout, ct, HttpCompletionOption.ResponseHeadersRead);
            if ((int)response.StatusCode is >= 300 and <= 399 && response.Headers.Location is { } location && hop < MaxRedirects
                && new Uri(url, location) is var next && !(url.Scheme == "https" && next.Scheme == "http"))
            {
                if (next.Authority != url.Authority) token = null;
                url = next;
                response.Dispose();
                continue;
            }
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.RequestedRangeNotSatisfiable)
                using (response) throw DownloadException.Refused(response);
            return response;
        }
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;
}
