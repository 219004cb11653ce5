using LlmLoc.Downloads;
using LlmLoc.Reporting;

namespace LlmLoc.Hub;

/// <summary>
/// The effective hub settings: <see cref="HubOptions"/> first, then the environment variables huggingface_hub and
/// transformers read, with the same precedence and defaults.
/// </summary>
/// <param name="Download">Timeouts from HF_HUB_ETAG_TIMEOUT (the wait for an answer) and HF_HUB_DOWNLOAD_TIMEOUT (for the
/// next bytes), 10 s each; progress on <see cref="HubOptions.Progress"/>.</param>
internal sealed record HubSettings(string CacheRoot, string Endpoint, string? Token, bool Offline, DownloadSettings Download, bool WithoutWeights = false)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The endpoint as messages show it: without the user:password a mirror URL may carry.</summary>
    public string DisplayEndpoint => Secrets.Redact(Endpoint);

    /// <param name="os">Whose rules find the home folder (Python's expanduser: USERPROFILE on Windows, HOME elsewhere).</param>
    public static HubSettings From(HubOptions? options, Func<string, string?> env, Platform.OsFamily? os = null)
    {
        options ??= new HubOptions();
        var system = os ?? Platform.HostOs.Current;
        string? Env(string name) => env(name) is { Length: > 0 } value ? value : null;

        string ExpandHome(string path) => Platform.UserFolders.ExpandUser(path, env, system);
        string Join(string folder, string rest) => Platform.UserFolders.Join(folder, rest, system);
        // huggingface_hub's constants: HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (also on
        // Windows, where ~ is %USERPROFILE%); the cache is HF_HOME/hub.
        string home = ExpandHome(Env("HF_HOME")
            ?? Join(Env("XDG_CACHE_HOME") ?? Join(Platform.UserFolders.Home(env, system), ".cache"), "huggingface"));

        // transformers prefers its legacy TRANSFORMERS_CACHE family over huggingface_hub's HF_HUB_CACHE.
        string cache = options.CacheDir
            ?? Env("TRANSFORMERS_CACHE") ?? Env("PYTORCH_TRANSFORMERS_CACHE") ?? Env("PYTORCH_PRETRAINED_BERT_CACHE")
            ?? Env("HF_HUB_CACHE") ?? Env("HUGGINGFACE_HUB_CACHE")
            ?? Join(home, "hub");

        string endpoint = (options.Endpoint ?? Env("HF_ENDPOINT") ?? DefaultEndpoint).TrimEnd('/');
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new LlmLocException($"HF_ENDPOINT '{Secrets.Redact(endpoint)}' is not an http(s) URL; unset it or set it to e.g. {DefaultEndpoint}",
                ExitCodes.InputError);

        bool offline = options.Offline || DownloadSettings.HubOffline(env);

        string? token = CleanToken(options.Token) ?? CleanToken(Env("HF_TOKEN")) ?? CleanToken(Env("HUGGING_FACE_HUB_TOKEN"))
            ?? ReadTokenFile(ExpandHome(Env("HF_TOKEN_PATH") ?? Join(home, "token")));

        var download = new DownloadSettings(Seconds(Env("HF_HUB_ETAG_TIMEOUT"), 10), Seconds(Env("HF_HUB_DOWNLOAD_TIMEOUT"), 10),
            new DownloadProgress(options.Progress)) { RetryDelay = options.RetryDelay, OpenPartialFile = options.OpenPartialFile };
        string expanded = ExpandHome(cache);
        return new HubSettings(system == Platform.HostOs.Current ? Path.GetFullPath(expanded) : expanded, endpoint, token, offline, download, options.WithoutWeights);
    }

    static string? CleanToken(string? token)
    {
        if (token is null) return null;
        token = token.Replace("\r", "").Replace("\n", "").Trim();
        return token.Length == 0 ? null : token;
    }

    static string? ReadTokenFile(string path)
    {
        try { return File.Exists(path) ? CleanToken(File.ReadAllText(path)) : null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    static TimeSpan Seconds(string? value, int fallback) =>
        TimeSpan.FromSeconds(int.TryParse(value, out int s) && s > 0 ? s : fallback);
}
