namespace LlmLoc.Hub;

/// <summary>
/// How <see cref="ModelLocator"/> talks to the Hugging Face hub. Every null value is taken from the environment
/// the way huggingface_hub does (HF_ENDPOINT, HF_TOKEN / the token file, HF_HUB_CACHE / HF_HOME);
/// <paramref name="Offline"/> is OR-ed with HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE.
/// <paramref name="Progress"/> receives download progress (null = stderr, with Spectre.Console bars on a terminal).
/// <paramref name="WithoutWeights"/>: config and tokenizer only (an untrained model needs no weights).
/// </summary>
public sealed record HubOptions(
    bool Offline = false,
    string? Endpoint = null,
    string? Token = null,
    string? CacheDir = null,
    TextWriter? Progress = null,
    bool WithoutWeights = false)
{
    // Tests' hooks into the downloads (see Downloads.DownloadSettings): a shorter retry wait, a disk that is full.
    internal TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    internal Func<string, bool, Stream> OpenPartialFile { get; init; } = Downloads.DownloadSettings.OpenFile;
}
