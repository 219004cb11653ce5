namespace LlmLoc.Hub;

/// <summary>Everything one model resolution works with: the settings, the model id, its cache folder.</summary>
internal sealed class HubContext(HubSettings settings, HubModelId model)
{
    public HubSettings Settings { get; } = settings;
    public HubModelId Model { get; } = model;
    public HubCacheRepo Cache { get; } = new(settings.CacheRoot, model);

    public string ModelPage => $"{Settings.DisplayEndpoint}/{Model.RepoId}";
}
