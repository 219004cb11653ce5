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
}
