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

    public static HubSettings From(HubOptions? options, Func<string, string?> env)
    {
        options ??= new HubOptions();
        string? Env(string name) => env(name) is { Length: > 0 } value ? value : null;

        string home = ExpandHome(Env("HF_HOME")
            ?? Path.Combine(Env("XDG_CACHE_HOME") ?? Path.Combine(UserHome(env), ".cache"), "huggingface"), env);

        // transformers prefers its legacy TRANSFORMERS_CACHE family over huggingface_hub's HF_HUB_CACHE.
        string cache = options.CacheDir
            ?? Env("TRANSFORMERS_CACHE") ?? Env("PYTORCH_TRANSFORMERS_CACHE") ?? Env("PYTORCH_PRETRAINED_BERT_CACHE")
            ?? Env("HF_HUB_CACHE") ?? Env("HUGGINGFACE_HUB_CACHE")
            ?? Path.Combine(home, "hub");

        string endpoint = (options.Endpoint ?? Env("HF_ENDPOINT") ?? DefaultEndpoint).TrimEnd('/');
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new LlmLocException($"HF_ENDPOINT '{Secrets.Redact(endpoint)}' is not an http(s) URL; unset it or set it to e.g. {DefaultEndpoint}",
                ExitCodes.InputError);

        bool offline = options.Offline || DownloadSettings.HubOffline(env);

        string? token = CleanToken(options.Token) ?? CleanToken(Env("HF_TOKEN")) ?? CleanToken(Env("HUGGING_FACE_HUB_TOKEN"))
            ?? ReadTokenFile(ExpandHome(Env("HF_TOKEN_PATH") ?? Path.Combine(home, "token"), env));

        var download = new DownloadSettings(Seconds(Env("HF_HUB_ETAG_TIMEOUT"), 10), Seconds(Env("HF_HUB_DOWNLOAD_TIMEOUT"), 10),
            new DownloadProgress(options.Progress)) { RetryDelay = options.RetryDelay, OpenPartialFile = options.OpenPartialFile };
        return new HubSettings(Path.GetFullPath(ExpandHome(cache, env)), endpoint, token, offline, download, options.WithoutWeights);
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

    static string UserHome(Func<string, string?> env) =>
        env("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Python's os.path.expanduser for "~" and "~/..." (not "~user").</summary>
    static string ExpandHome(string path, Func<string, string?> env) =>
        path == "~" ? UserHome(env)
        : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome(env), path[2..])
        : path;

    static TimeSpan Seconds(string? value, int fallback) =>
        TimeSpan.FromSeconds(int.TryParse(value, out int s) && s > 0 ? s : fallback);
}
