namespace LlmLoc.Hub;

/// <summary>
/// How <see cref="ModelLocator"/> talks to the Hugging Face hub. Every null value is taken from the environment
/// the way huggingface_hub does (HF_ENDPOINT, HF_TOKEN / the token file, HF_HUB_CACHE / HF_HOME);
/// <paramref name="Offline"/> is OR-ed with HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE.
/// <paramref name="Progress"/> receives download progress (null = stderr, with Spectre.Console bars on a terminal).
/// <paramref name="WithoutWeights"/>: config and tokenizer only (an untrained model needs no weights).
/// <paramref name="RetryDelay"/>: the wait before a broken download is resumed (null = 1 s, as huggingface_hub).
/// </summary>
public sealed record HubOptions(
    bool Offline = false,
    string? Endpoint = null,
    string? Token = null,
    string? CacheDir = null,
    TextWriter? Progress = null,
    bool WithoutWeights = false,
    TimeSpan? RetryDelay = null);
