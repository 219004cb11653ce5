using LlmLoc.Masks;

namespace LlmLoc.Localization;

/// <summary>Whether localize may reuse the cached mask of its options (<see cref="MaskCache.Problem"/>), checked
/// against the model's shape when it is known without a download.</summary>
public static class CachedMaskCheck
{
    /// <summary>The one "is this run's cached mask valid" check: localize and sweeps (run, status, plan) all ask it.</summary>
    /// <returns>Null when the cached mask of these options is valid for them (localize then reuses it unless
    /// --overwrite or --stats-out asks for a recomputation, which sweep cells never do), else why not.</returns>
    public static string? Problem(LocalizeOptions options)
    {
        var cache = options.Mask.Cache;
        if (!File.Exists(cache.MaskPath(options.CacheKey))) return "no mask is cached";
        (int Layers, int Hidden)? shape;
        try { shape = options.Model.ShapeWithoutLoading(options.Mask.Site); }
        catch (LlmLocException e) { return $"the model's config cannot be read to check it ({e.Message})"; }
        return cache.Problem(options.CacheKey, options.Model.Seed, shape);
    }
}
