using LlmLoc.Models;

namespace LlmLoc.Masks;

/// <summary>
/// The cache file names of localize.py: every option that changes the mask is in the mask's name; the FDR p-values
/// depend only on model, network and pooling (so every range/percentage of one network+pooling shares one file).
/// llmloc's unit site follows the pooling as <c>_site=mlp</c>, only when it is not the original's block output
/// (<see cref="UnitSiteNames.NameToken"/>), so the original's names stay byte-identical.
/// </summary>
public sealed record MaskCacheKey(
    string ModelId, string Network, string Pooling, string Range, double? Percentage, long? NumUnits, bool Pretrained,
    UnitSite Site = UnitSite.Residual)
{
    /// <summary>The original's model id: <c>os.path.basename(model_name)</c> ("meta-llama/Llama-3.2-1B" → "Llama-3.2-1B").</summary>
    public static string ModelIdOf(string modelName)
    {
        // os.path.basename splits on '/' only (POSIX); a trailing slash gives "" in Python, which would collide
        // across models, so a trailing slash is ignored here.
        string trimmed = modelName.TrimEnd('/');
        int at = trimmed.LastIndexOf('/');
        return at >= 0 ? trimmed[(at + 1)..] : trimmed;
    }

    public string MaskFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}{Site.NameToken()}_range={Range}_perc={PythonFormat.OptionalFloat(Percentage)}" +
        $"_nunits={PythonFormat.OptionalInt(NumUnits)}_pretrained={PythonFormat.Bool(Pretrained)}.npy";

    public string PValuesFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}{Site.NameToken()}_pretrained={PythonFormat.Bool(Pretrained)}_pvalues.npy";

    /// <summary>llmloc's addition: the Welch t-values beside the p-values (for plots and --stats-out); the original keeps none.</summary>
    public string TValuesFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}{Site.NameToken()}_pretrained={PythonFormat.Bool(Pretrained)}_tvalues.npy";

    public string TValuesPath(string cacheDir) => Path.Combine(cacheDir, TValuesFileName);

    public string MaskPath(string cacheDir) => Path.Combine(cacheDir, MaskFileName);
    public string PValuesPath(string cacheDir) => Path.Combine(cacheDir, PValuesFileName);

    /// <summary>The cache folder: an explicit --cache-dir, else $LOC_CACHE, else "cache" (as the original).</summary>
    public static string ResolveCacheDir(string? explicitDir) =>
        explicitDir is { Length: > 0 } ? explicitDir
        : Environment.GetEnvironmentVariable("LOC_CACHE") is { Length: > 0 } env ? env
        : "cache";
}
