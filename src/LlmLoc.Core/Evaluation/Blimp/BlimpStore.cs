using System.Security.Cryptography;
using LlmLoc.Downloads;

namespace LlmLoc.Evaluation.Blimp;

/// <summary>
/// The local copy of BLiMP: <c>{dir}/{paradigm}.jsonl</c>. The default folder (./blimp) is filled on first use,
/// fetching only the paradigms asked for; a folder given by --blimp-dir or $LLMLOC_BLIMP is a copy the user
/// made and is never downloaded into. Every file is checked against its pinned sha256 before it is read.
/// </summary>
public sealed class BlimpStore(Uri baseUrl, bool downloadEnabled)
{
    public const string DirVariable = "LLMLOC_BLIMP";
    public const string UrlVariable = "LLMLOC_BLIMP_URL";
    public const string DefaultDir = "blimp";

    /// <summary>The most a paradigm file may be (the largest is under 1 MB).</summary>
    const long MaxFileBytes = 64L << 20;

    /// <summary>GitHub at the pinned commit (or $LLMLOC_BLIMP_URL); no download with --offline (<paramref name="offline"/>),
    /// LLMLOC_NO_DOWNLOAD or HF_HUB_OFFLINE.</summary>
    public static BlimpStore FromEnvironment(bool offline = false)
    {
        Uri url = BlimpParadigms.DefaultBaseUrl;
        if (Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } text)
            url = Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var u) ? u
                : throw new LlmLocException($"${UrlVariable} is not an absolute URL: '{Secrets.Redact(text)}'; set it to a folder URL holding the BLiMP .jsonl files or unset it", ExitCodes.Usage);
        return new BlimpStore(url, DownloadSettings.DataFetchAllowed(offline));
    }

    /// <summary>The folder to read: --blimp-dir, else $LLMLOC_BLIMP (both explicit), else ./blimp.</summary>
    public static (string Dir, bool Explicit) Locate(string? flag) =>
        flag is not null ? (flag, true)
        : Environment.GetEnvironmentVariable(DirVariable) is { Length: > 0 } env ? (env, true)
        : (DefaultDir, false);

    /// <summary>The pairs of the given paradigms (the first <paramref name="limit"/> of each), fetching what is missing.</summary>
    public IReadOnlyList<MinimalPair> Load(IReadOnlyList<string> paradigms, string dir, bool explicitDir, int? limit, TextWriter log)
    {
        EnsurePresent(paradigms, dir, explicitDir, log);
        var pairs = new List<MinimalPair>();
        foreach (string paradigm in paradigms)
        {
            string path = PathOf(dir, paradigm);
            byte[] bytes = File.ReadAllBytes(path);
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != BlimpParadigms.Sha256[paradigm])
                throw new LlmLocException($"{path} is not BLiMP's {paradigm}.jsonl at commit {BlimpParadigms.Commit[..7]} (its sha256 differs): " +
                    (explicitDir ? "replace it with the original file" : "delete it and llmloc fetches it again"), ExitCodes.InputError);
            using var reader = new StreamReader(new MemoryStream(bytes));
            var items = MinimalPairs.ParseBlimp(reader, path);
            pairs.AddRange(limit is { } n ? items.Take(n) : items);
        }
        return pairs;
    }

    static string PathOf(string dir, string paradigm) => Path.Combine(dir, paradigm + ".jsonl");

    void EnsurePresent(IReadOnlyList<string> paradigms, string dir, bool explicitDir, TextWriter log)
    {
        if (explicitDir && !Directory.Exists(dir))
            throw new LlmLocException($"BLiMP folder {dir} (from --blimp-dir or ${DirVariable}) does not exist: " +
                $"point it at a copy of BLiMP's data/*.jsonl, or unset both to fetch BLiMP into ./{DefaultDir}", ExitCodes.InputError);
        var missing = paradigms.Where(p => !File.Exists(PathOf(dir, p))).ToList();
        if (missing.Count == 0) return;
        if (explicitDir)
            throw new LlmLocException($"BLiMP folder {dir} lacks {missing.Count} paradigm file(s), e.g. {missing[0]}.jsonl: " +
                "copy BLiMP's data/*.jsonl there, or unset --blimp-dir / $LLMLOC_BLIMP to fetch BLiMP", ExitCodes.InputError);
        if (!downloadEnabled)
            throw new LlmLocException($"BLiMP is not in {Path.GetFullPath(dir)} and {DownloadSettings.DisableVariable} is set or llmloc runs " +
                "offline (--offline, HF_HUB_OFFLINE): drop that to fetch BLiMP once, or pass --blimp-dir with a copy of BLiMP's data/*.jsonl",
                ExitCodes.InputError);

        log.WriteLine($"llmloc: fetching {missing.Count} BLiMP paradigm file(s) (commit {BlimpParadigms.Commit[..7]}) into {Path.GetFullPath(dir)}");
        var settings = DownloadSettings.ForData(log);
        foreach (string paradigm in missing)
        {
            var url = new Uri(baseUrl, paradigm + ".jsonl");
            var request = new DownloadRequest(url, PathOf(dir, paradigm), paradigm + ".jsonl") { Sha256 = BlimpParadigms.Sha256[paradigm], MaxBytes = MaxFileBytes };
            try { FileDownload.FetchAsync(request, settings, CancellationToken.None).GetAwaiter().GetResult(); }
            catch (DownloadException e) { throw Failure(url, e.Status is { } status ? $"HTTP {status}" : e.Message, e); }
        }
    }

    static LlmLocException Failure(Uri url, string reason, Exception? inner = null) =>
        new($"could not fetch BLiMP from {Secrets.Redact(url)}: {reason}; run once where GitHub is reachable, or pass --blimp-dir with a copy of BLiMP's data/*.jsonl",
            ExitCodes.RuntimeError, inner);
}
