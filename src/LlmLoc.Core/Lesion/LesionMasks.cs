using LlmLoc.Cache;
using LlmLoc.Statistics;

namespace LlmLoc.Lesion;

/// <summary>
/// The lesion conditions of generate_lesion.py's <c>--network</c>: "language" = the cached language mask (or
/// <c>--mask FILE</c>), "random" = as many units drawn outside it with the given seed, "none" = no lesion.
/// </summary>
public static class LesionMasks
{
    public const string Language = "language";
    public const string Random = "random";
    public const string None = "none";
    public static readonly string[] Networks = [None, Language, Random];

    /// <summary>
    /// The mask for <paramref name="network"/>, or null for "none". The language mask is <paramref name="maskFile"/>
    /// when given, else the cache file localize writes for network=language, this pooling/range/percentage,
    /// nunits=None, pretrained=True.
    /// </summary>
    public static UnitMask? Resolve(string network, string modelName, double percentage, string pooling, string range,
        int seed, string? maskFile, string cacheDir)
    {
        switch (network)
        {
            case None:
                return null;
            case Language:
                return LoadLanguage(modelName, percentage, pooling, range, maskFile, cacheDir);
            case Random:
                var language = LoadLanguage(modelName, percentage, pooling, range, maskFile, cacheDir);
                long[] values = UnitSelection.RandomLesionMask(language.Values, seed);
                return new UnitMask(values, language.Layers, language.Hidden, $"random (seed {seed}) outside {language.Source}");
            default:
                throw new LlmLocException($"unknown --network '{network}': use one of {string.Join(", ", Networks)}", ExitCodes.Usage);
        }
    }

    /// <summary>The cache key of the language mask a lesion uses (percentage, never --num-units; pretrained).</summary>
    public static MaskCacheKey LanguageKey(string modelName, double percentage, string pooling, string range) =>
        new(MaskCacheKey.ModelIdOf(modelName), Language, pooling, range, percentage, null, true);

    static UnitMask LoadLanguage(string modelName, double percentage, string pooling, string range, string? maskFile, string cacheDir)
    {
        if (maskFile is not null)
        {
            if (!File.Exists(maskFile))
                throw new LlmLocException($"mask file {maskFile} does not exist: give the path of a .npy mask written by `llmloc localize`");
            return UnitMask.Load(maskFile);
        }
        var key = LanguageKey(modelName, percentage, pooling, range);
        string path = key.MaskPath(cacheDir);
        if (!File.Exists(path))
            throw new LlmLocException(
                $"no language mask in the cache ({path}): create it with `{LocalizeCommandLine(modelName, percentage, pooling, range, cacheDir)}`, " +
                "or pass --mask FILE.npy");
        return UnitMask.Load(path);
    }

    /// <summary>The exact <c>llmloc localize</c> call that writes the language mask Resolve looks for.</summary>
    public static string LocalizeCommandLine(string modelName, double percentage, string pooling, string range, string cacheDir) =>
        $"llmloc localize --model-name {modelName} --network {Language} --pooling {pooling} --localize-range {range} " +
        $"--percentage {PythonFormat.Float(percentage)} --cache-dir {cacheDir}";
}
