using LlmLoc.Reporting;

namespace LlmLoc.Hub;

/// <summary>Everything one model resolution works with: the settings, the model id, its cache folder and the progress sink.</summary>
internal sealed class HubContext(HubSettings settings, HubModelId model, IDownloadProgress progress)
{
    public HubSettings Settings { get; } = settings;
    public HubModelId Model { get; } = model;
    public HubCacheRepo Cache { get; } = new(settings.CacheRoot, model);
    public IDownloadProgress Progress { get; } = progress;
    /// <summary>HTTP requests sent so far (diagnostics; the cache-hit path must send none).</summary>
    public int RequestCount { get; set; }

    public string ModelPage => $"{Settings.DisplayEndpoint}/{Model.RepoId}";
}
