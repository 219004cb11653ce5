namespace LlmLoc.Stimuli.Download;

/// <summary>
/// Where the localizer stimuli come from. The defaults are the original project's sources; tests and mirrors pass
/// their own URLs.
/// </summary>
/// <param name="LanguageArchive">Zip of the EvLab language localizer folder (Fedorenko et al. 2010).</param>
/// <param name="TomArchive">The Saxe lab's false-belief localizer, tomloc.zip.</param>
public sealed record StimuliSources(Uri LanguageArchive, Uri TomArchive)
{
    /// <summary>
    /// The original's sources. The Dropbox shared-folder link gets "?dl=1" so that it answers with the folder's zip
    /// instead of the HTML preview page.
    /// </summary>
    public static StimuliSources Default { get; } = new(
        new Uri("https://www.dropbox.com/sh/c9jhmsy4l9ly2xx/AACQ41zipSZFj9mFbDfJJ9c4a?dl=1"),
        new Uri("https://saxelab.mit.edu/tomloc.zip"));

    /// <summary>The defaults, overridden by LLMLOC_LANG_STIMULI_URL / LLMLOC_TOM_STIMULI_URL (the variables the download
    /// scripts read), for `llmloc stimuli download` and the automatic download alike.</summary>
    public static StimuliSources FromEnvironment() => new(
        Url("LLMLOC_LANG_STIMULI_URL") ?? Default.LanguageArchive,
        Url("LLMLOC_TOM_STIMULI_URL") ?? Default.TomArchive);

    static Uri? Url(string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) is not { Length: > 0 } text) return null;
        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
            : throw new LlmLocException($"${variable} is not an http(s) URL: '{Secrets.Redact(text)}'; set it to the archive's URL or unset it", ExitCodes.Usage);
    }
}
