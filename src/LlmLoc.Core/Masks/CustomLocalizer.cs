namespace LlmLoc.Masks;

/// <summary>
/// A custom localizer as a mask specification carries it (<c>--localizer FILE.toml</c>): its name, which is a network
/// like the built-ins' (the mask's network, or a lesion condition), the definition file, the pooling its masks use
/// when <c>--pooling</c> is not given, and — once its token ids are known for one model — the network in cache names,
/// <c>{name}-{hash}</c> (<see cref="CustomNetworks"/>).
/// </summary>
public sealed record CustomLocalizer(string Name, string File, Pooling? DefaultPooling)
{
    /// <summary>Null until resolved for a model (by LocalizerReference.Resolve, in Sessions); the built-in's name for a
    /// definition that is an exact copy of the built-in of its name.</summary>
    public string? CacheNetwork { get; init; }
}
