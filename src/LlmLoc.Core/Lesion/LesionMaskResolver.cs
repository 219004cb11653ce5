using LlmLoc.Masks;
using LlmLoc.Statistics;

namespace LlmLoc.Lesion;

/// <summary>The mask to ablate and a one-line account of where it came from (for stderr).</summary>
public sealed record ResolvedLesionMask(UnitMask? Mask, string Description);

/// <summary>generate_lesion.py's mask choice: the cached language mask, its random control, or none.</summary>
public static class LesionMaskResolver
{
    public static ResolvedLesionMask Resolve(LesionMaskRequest request)
    {
        request.Validate();
        if (request.Network == Networks.None)
            return new ResolvedLesionMask(null, "network none: no lesion (intact model)");

        var language = LoadLanguageMask(request);
        string shape = $"({language.Layers}, {language.Hidden})";
        if (request.Network == Networks.Language)
            return new ResolvedLesionMask(language,
                $"network language: lesioning {language.Count} units of a {shape} mask from {language.Source}");

        long[] random = UnitSelection.RandomLesionMask(language.Values, request.Seed);
        var mask = new UnitMask(random, language.Layers, language.Hidden, $"random control of {language.Source}");
        return new ResolvedLesionMask(mask,
            $"network random: lesioning {mask.Count} units of a {shape} mask drawn (seed {request.Seed}) from outside " +
            $"the {language.Count} language units of {language.Source}");
    }

    static UnitMask LoadLanguageMask(LesionMaskRequest request)
    {
        if (request.MaskFile is { } file)
        {
            if (!File.Exists(file))
                throw new LlmLocException($"mask file {file} does not exist: give the path of a .npy mask (e.g. one `llmloc localize` wrote)");
            return UnitMask.Load(file);
        }
        string path = request.LanguageKey.MaskPath(MaskCacheKey.ResolveCacheDir(request.CacheDir));
        if (!File.Exists(path))
            throw new LlmLocException(
                $"no cached language mask {path}: create it with `{request.LocalizeCommand}` (or pass --mask FILE.npy)");
        return UnitMask.Load(path);
    }
}
