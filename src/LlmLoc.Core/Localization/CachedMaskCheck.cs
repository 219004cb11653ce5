using LlmLoc.Localization;
using LlmLoc.Masks;
using LlmLoc.Numerics;

namespace LlmLoc.Localization;

/// <summary>
/// Decides whether a cached localize mask may be reused: a 2-D 0/1 array with at least one unit, of the model's
/// shape when it is known, and — when llmloc cached the t-values beside it — the selection those t-values give
/// (recomputed, not compared by count: ties can select more than k units). Random ranges are only checked for the
/// unit count, since the draw's seed is not part of the file name.
/// </summary>
public static class CachedMaskCheck
{
    /// <summary>The one "is this run's cached mask valid" check: localize and sweeps (run, status, plan) all ask it.</summary>
    /// <returns>Null when the cached mask of these options is valid for them (localize then reuses it unless
    /// --overwrite or --stats-out asks for a recomputation, which sweep cells never do), else why not.</returns>
    public static string? Problem(LocalizeOptions options)
    {
        string cacheDir = MaskCacheKey.ResolveCacheDir(options.CacheDir);
        string maskPath = options.CacheKey.MaskPath(cacheDir);
        if (!File.Exists(maskPath)) return "no mask is cached";
        (int Layers, int Hidden)? shape;
        try { shape = LocalModelShape(options); }
        catch (LlmLocException e) { return $"the model's config cannot be read to check it ({e.Message})"; }
        return Problem(maskPath, options.CacheKey.TValuesPath(cacheDir), options, shape);
    }

    static string? Problem(string maskPath, string tValuesPath, LocalizeOptions options, (int Layers, int Hidden)? modelShape)
    {
        UnitMask mask;
        try { mask = UnitMask.Load(maskPath); }
        catch (LlmLocException e) { return e.Message; }
        if (mask.Count == 0) return "it selects no unit";
        if (modelShape is { } shape && (shape.Layers, shape.Hidden) != (mask.Layers, mask.Hidden))
            return $"its shape ({mask.Layers}, {mask.Hidden}) is not the model's ({shape.Layers}, {shape.Hidden})";
        if (!File.Exists(tValuesPath)) return null;

        NpyArray tArray;
        try { tArray = Npy.Read(tValuesPath); }
        catch (LlmLocException e) { return $"the t-values beside it are unreadable ({e.Message})"; }
        if (!tArray.Shape.SequenceEqual([mask.Layers, mask.Hidden]))
            return $"its shape ({mask.Layers}, {mask.Hidden}) differs from the cached t-values' ({string.Join(", ", tArray.Shape)})";
        long units;
        try { units = options.UnitsToSelect(mask.Layers, mask.Hidden); }
        catch (LlmLocException e) { return e.Message; }
        if (!options.Range.IsTop && !options.Range.IsBottom)
            return mask.Count == units ? null : $"it holds {mask.Count} units, not the {units} requested";
        long[] expected;
        try { expected = Localizer.SelectUnits(tArray.ToDoubles(), options.Range, (int)units, options.Seed, out _); }
        catch (LlmLocException e) { return e.Message; }
        return expected.AsSpan().SequenceEqual(mask.Values) ? null : "it is not the selection its cached t-values give";
    }

    /// <summary>The model's [layers, units per layer at the site] when known without a download: a local folder's config.json or a
    /// built-in GPT-2 size (untrained); null for hub ids, whose cached masks are checked against their t-values.</summary>
    static (int Layers, int Hidden)? LocalModelShape(LocalizeOptions options)
    {
        Models.ModelConfig? config =
            File.Exists(Path.Combine(options.ModelName, "config.json")) ? Models.ModelConfig.Load(options.ModelName)
            : options.Untrained && Models.Gpt2Configs.Names.Contains(options.ModelName) ? Models.ModelConfig.Parse(Models.Gpt2Configs.Json(options.ModelName))
            : null;
        return config is null ? null : (config.NumLayers, Models.ModelRegistry.UnitsPerLayer(config, options.Site));
    }
}
