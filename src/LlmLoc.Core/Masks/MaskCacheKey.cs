namespace LlmLoc.Masks;

/// <summary>
/// The cache file names of localize.py: every option that changes the mask is in the mask's name; the FDR p-values
/// depend only on model, network and pooling (so every range/percentage of one network+pooling shares one file).
/// </summary>
public sealed record MaskCacheKey(
    string ModelId, string Network, string Pooling, string Range, double? Percentage, long? NumUnits, bool Pretrained)
{
    /// <summary>The original's model id: <c>os.path.basename(model_name)</c> ("meta-llama/Llama-3.2-1B" → "Llama-3.2-1B").</summary>
    public static string ModelIdOf(string modelName)
    {
        // os.path.basename of the system llmloc runs on (posixpath, or ntpath on Windows); a trailing separator gives
        // "" in Python, which would collide across models, so it is ignored.
        return Platform.PythonPaths.Basename(modelName, Platform.HostOs.Current);
    }

    public string MaskFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}_range={Range}_perc={PythonFormat.OptionalFloat(Percentage)}" +
        $"_nunits={PythonFormat.OptionalInt(NumUnits)}_pretrained={PythonFormat.Bool(Pretrained)}.npy";

    public string PValuesFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}_pretrained={PythonFormat.Bool(Pretrained)}_pvalues.npy";

    /// <summary>llmloc's addition: the Welch t-values beside the p-values (for plots and --stats-out); the original keeps none.</summary>
    public string TValuesFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}_pretrained={PythonFormat.Bool(Pretrained)}_tvalues.npy";

    public string TValuesPath(string cacheDir) => Platform.OutputPaths.CacheEntry(cacheDir, ModelId, TValuesFileName);

    // Names valid on every system, no entry that differs only in case, a path within this system's limit.
    public string MaskPath(string cacheDir) => Platform.OutputPaths.CacheEntry(cacheDir, ModelId, MaskFileName);
    public string PValuesPath(string cacheDir) => Platform.OutputPaths.CacheEntry(cacheDir, ModelId, PValuesFileName);

    /// <summary>The cache folder: an explicit --cache-dir, else $LOC_CACHE, else "cache" (as the original).</summary>
    public static string ResolveCacheDir(string? explicitDir) =>
        explicitDir is { Length: > 0 } ? explicitDir
        : Environment.GetEnvironmentVariable("LOC_CACHE") is { Length: > 0 } env ? env
        : "cache";
}
