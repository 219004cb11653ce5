using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Sessions;
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
        // The localized units, named by their localizer when it is not the language one.
        string noun = language.Site.UnitsNoun(), owner = request.Units.Localizer ?? Networks.Language;
        if (request.Network == Networks.Language)
            return new ResolvedLesionMask(language,
                $"network language: lesioning {language.Count} {(request.Units.Localizer is null ? "" : owner + " ")}{noun} of a {shape} mask from {language.Source}");

        long[] random = UnitSelection.RandomLesionMask(language.Values, request.Seed);
        var mask = new UnitMask(random, language.Layers, language.Hidden, $"random control of {language.Source}") { Site = language.Site };
        return new ResolvedLesionMask(mask,
            $"network random: lesioning {mask.Count} units of a {shape} mask drawn (seed {request.Seed}) from outside " +
            $"the {language.Count} {owner} {noun} of {language.Source}");
    }

    static UnitMask LoadLanguageMask(LesionMaskRequest request)
    {
        if (request.MaskFile is { } file)
        {
            if (!File.Exists(file))
                throw new LlmLocException($"mask file {file} does not exist: give the path of a .npy mask (e.g. one `llmloc localize` wrote)");
            return AtSite(UnitMask.Load(file), request.Units.Site);
        }
        string cacheDir = MaskCacheKey.ResolveCacheDir(request.CacheDir);
        var key = request.LanguageKey;
        if (request.Units.Localizer is { } localizer)
            key = key with { Network = LocalizerReference.CacheNetwork(localizer, key, cacheDir,
                () => TokenizerSource.Open(new ModelRequest(request.ModelName, Untrained: request.Untrained, Seed: request.Seed, Offline: request.Units.Offline)),
                request.Units.StimuliDir, request.Seed) };
        string path = key.MaskPath(cacheDir);
        if (!File.Exists(path))
            throw new LlmLocException(
                $"no cached {(request.Units.Localizer is null ? "language" : key.Network)} mask {path}: create it with `{request.LocalizeCommand}` (or pass --mask FILE.npy)");
        return AtSite(UnitMask.Load(path), request.Units.Site);
    }

    static UnitMask AtSite(UnitMask mask, UnitSite site) => new(mask.Values, mask.Layers, mask.Hidden, mask.Source) { Site = site };
}
