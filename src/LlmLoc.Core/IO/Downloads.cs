using System.Net.Http.Headers;

namespace LlmLoc.IO;

/// <summary>
/// The one HTTP client of the data downloads (localizer stimuli, BLiMP): follows redirects (GitHub and OSF serve
/// files through them) and names itself. The hub keeps its own client, because huggingface_hub's protocol needs
/// redirects handled by hand (<c>Hub/HubHttp.cs</c>).
/// </summary>
public static class Downloads
{
    static readonly Lazy<HttpClient> SharedClient = new(() =>
    {
        var client = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("llmloc", "1.0"));
        return client;
    });

    public static HttpClient Client => SharedClient.Value;

    /// <summary>Set (to anything but "0") to forbid the automatic fetches of stimuli and BLiMP.</summary>
    public const string DisableVariable = "LLMLOC_NO_DOWNLOAD";

    /// <summary>Whether $LLMLOC_NO_DOWNLOAD forbids automatic fetches.</summary>
    public static bool DisabledByEnvironment() =>
        Environment.GetEnvironmentVariable(DisableVariable) is { Length: > 0 } value && value != "0";
}
