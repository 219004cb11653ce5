using LlmLoc.IO;
using LlmLoc.Models;
using LlmLoc.Numerics;

namespace LlmLoc.Masks;

/// <summary>
/// The mask cache folder and everything in it: where it is (--cache-dir, else $LOC_CACHE, else ./cache, as the
/// original), the file names (<see cref="MaskCacheKey"/>), reading a cached mask (with an error that names the
/// masks the cache does hold), and whether a cached mask is valid for a run.
/// </summary>
public sealed class MaskCache(string? explicitFolder)
{
    /// <summary>The folder: an explicit --cache-dir, else $LOC_CACHE, else "cache" (as the original).</summary>
    public string Folder { get; } =
        explicitFolder is { Length: > 0 } ? explicitFolder
        : Environment.GetEnvironmentVariable("LOC_CACHE") is { Length: > 0 } env ? env
        : "cache";

    // Names valid on every system, no entry that differs only in case, a path within this system's limit.
    public string MaskPath(MaskCacheKey key) => Platform.OutputPaths.CacheEntry(Folder, key.ModelId, key.MaskFileName);
    public string PValuesPath(MaskCacheKey key) => Platform.OutputPaths.CacheEntry(Folder, key.ModelId, key.PValuesFileName);
    public string TValuesPath(MaskCacheKey key) => Platform.OutputPaths.CacheEntry(Folder, key.ModelId, key.TValuesFileName);

    /// <summary>Reads a cached mask (its columns are the key's site). A missing one is an error naming the command that
    /// writes it and, when the cache holds masks of the same model and network with other settings, those and the flags
    /// that select them. A custom localizer's bare name finds its <c>{name}-{hash}</c> mask (<see cref="Find"/>).</summary>
    public UnitMask Load(MaskCacheKey key, string localizeCommand)
    {
        key = Find(key);
        string path = MaskPath(key);
        if (File.Exists(path)) return UnitMask.Load(path, key.Site);
        var entries = Entries().ToList();
        var others = entries.Where(k => k.ModelId == key.ModelId && (k.Network == key.Network || CustomNetworks.IsOf(k.Network, key.Network)))
            .OrderBy(k => k.Pretrained != key.Pretrained).ThenBy(k => k.MaskFileName, StringComparer.Ordinal).Take(3).ToList();
        string hint = others.Count > 0
            ? $"; the cache holds {string.Join(" and ", others.Select(k => $"{k.MaskFileName} (select it with {DifferingFlags(key, k)})"))}"
            // A network nothing was localized for: perhaps a typo of a known one.
            : !Networks.IsBuiltIn(key.Network) && entries.All(k => k.Network != key.Network)
                && Suggestions.Nearest(key.Network, Networks.Localized.Concat(entries.Select(k => k.Network)).Distinct()) is { } near
                ? $"; did you mean --network {near}?"
                : "";
        throw new LlmLocException($"no cached {key.Network} mask {path}: create it with `{localizeCommand}`{hint}");
    }

    /// <summary>
    /// The entry a lookup of <paramref name="key"/> reads: the key itself, unless no mask of it is cached and its
    /// network is not a built-in: a custom localizer's bare name then finds the one <c>{name}-{hash}</c> mask cached
    /// with every other setting of the key. Several such masks (definitions or tokenizers that differ) are a usage
    /// error naming them.
    /// </summary>
    public MaskCacheKey Find(MaskCacheKey key)
    {
        if (File.Exists(MaskPath(key)) || Networks.IsBuiltIn(key.Network)) return key;
        var named = Entries().Where(k => CustomNetworks.IsOf(k.Network, key.Network) && (key with { Network = k.Network }).MaskFileName == k.MaskFileName)
            .Select(k => k.Network).Order(StringComparer.Ordinal).ToList();
        return named.Count switch
        {
            0 => key,
            1 => key with { Network = named[0] },
            _ => throw new LlmLocException($"{named.Count} localizers named '{key.Network}' are cached in {Folder} with these settings ({string.Join(", ", named)}): " +
                "give the definition file with --localizer FILE.toml to pick one", ExitCodes.Usage),
        };
    }

    /// <summary>The localize masks in the folder (files whose name parses as a cache name).</summary>
    public IEnumerable<MaskCacheKey> Entries() =>
        Directory.Exists(Folder)
            ? Directory.EnumerateFiles(Folder, "*_pretrained=*.npy").Select(MaskCacheKey.TryParse).OfType<MaskCacheKey>()
            : [];

    /// <summary>The flags that differ between what was asked and what the cache holds.</summary>
    static string DifferingFlags(MaskCacheKey asked, MaskCacheKey held)
    {
        var flags = new List<string>();
        if (held.Pretrained != asked.Pretrained) flags.Add(held.Pretrained ? "no --untrained" : "--untrained");
        if (held.Pooling != asked.Pooling) flags.Add($"--pooling {held.Pooling}");
        if (held.Site != asked.Site) flags.Add($"--site {held.Site.ToFlag()}");
        if (held.Range != asked.Range) flags.Add($"--localize-range {held.Range}");
        if (held.Percentage != asked.Percentage || held.NumUnits != asked.NumUnits)
        {
            if (held.Percentage is { } p) flags.Add($"--percentage {PythonFormat.Float(p)}");
            if (held.NumUnits is { } n) flags.Add($"--num-units {n}");
        }
        return string.Join(" ", flags);
    }

    /// <summary>
    /// Null when the cached mask of <paramref name="key"/> is valid for a run with this seed, else why not: a 2-D 0/1
    /// array with at least one unit, of the model's shape when it is known, and — when llmloc cached the t-values
    /// beside it — the selection those t-values give (recomputed, not compared by count: ties can select more than k
    /// units). Random ranges are only checked for the unit count, since the draw's seed is not part of the name.
    /// </summary>
    public string? Problem(MaskCacheKey key, int seed, (int Layers, int Hidden)? modelShape)
    {
        string maskPath = MaskPath(key);
        if (!File.Exists(maskPath)) return "no mask is cached";
        UnitMask mask;
        try { mask = UnitMask.Load(maskPath); }
        catch (LlmLocException e) { return e.Message; }
        if (mask.Count == 0) return "it selects no unit";
        if (modelShape is { } shape && (shape.Layers, shape.Hidden) != (mask.Layers, mask.Hidden))
            return $"its shape ({mask.Layers}, {mask.Hidden}) is not the model's ({shape.Layers}, {shape.Hidden})";
        string tValuesPath = TValuesPath(key);
        if (!File.Exists(tValuesPath)) return null;

        NpyArray tArray;
        try { tArray = Npy.Read(tValuesPath); }
        catch (LlmLocException e) { return $"the t-values beside it are unreadable ({e.Message})"; }
        if (!tArray.Shape.SequenceEqual([mask.Layers, mask.Hidden]))
            return $"its shape ({mask.Layers}, {mask.Hidden}) differs from the cached t-values' ({string.Join(", ", tArray.Shape)})";
        long units;
        var range = LocalizeRange.Parse(key.Range);
        try { units = key.UnitsToSelect(mask.Layers, mask.Hidden); }
        catch (LlmLocException e) { return e.Message; }
        if (range.IsRandomRange)
            return mask.Count == units ? null : $"it holds {mask.Count} units, not the {units} requested";
        long[] expected;
        try { expected = Statistics.UnitSelection.Select(tArray.ToDoubles(), range.Low, range.High, (int)units, seed, out _); }
        catch (LlmLocException e) { return e.Message; }
        return expected.AsSpan().SequenceEqual(mask.Values) ? null : "it is not the selection its cached t-values give";
    }
}
