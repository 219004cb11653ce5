using LlmLoc.Masks;
using System.Globalization;
using LlmLoc.IO;
using LlmLoc.Models;
using LlmLoc.Numerics;
using LlmLoc.Stimuli;

namespace LlmLoc.Plotting;

/// <summary>Everything <c>llmloc plot</c> takes.</summary>
public sealed record PlotOptions
{
    public IReadOnlyList<string> Models { get; init; } = [];
    public IReadOnlyList<string> Masks { get; init; } = [];
    /// <summary>A sweep summary CSV (model, network, pooling, range, percentage, num_units, pretrained, path).</summary>
    public string? Summary { get; init; }
    public string Network { get; init; } = Networks.Language;
    /// <summary>Null: plot.py's default, last-token for language, mean otherwise.</summary>
    public string? Pooling { get; init; }
    public string Range { get; init; } = "100-100";
    public double Percentage { get; init; } = 1;
    public bool Untrained { get; init; }
    public string? CacheDir { get; init; }
    /// <summary>Folder for every figure (default: the cache folder).</summary>
    public string? OutputDir { get; init; }
    public int Dpi { get; init; } = MaskPlots.DefaultDpi;
    /// <summary>--localizer and --site: the cached masks of this localizer instead of <see cref="Network"/>'s, at this site
    /// (which also names the units of --mask files).</summary>
    public LocalizedUnits Units { get; init; } = new();
}

/// <summary>
/// The plot verb: one heatmap column per mask (cache lookups by model, mask files, rows of a sweep summary),
/// labelled by model name, and a t-value histogram for each cached mask whose t-values localize kept.
/// File names hold every option of the cache key, so plots of different settings never overwrite each other.
/// </summary>
public static class PlotRun
{
    sealed record Column(string Label, long[,] Mask, MaskCacheKey? Key, string? TValuesPath);

    /// <summary>Returns the files written (PNG and SVG of the heatmap and of each histogram), all or none.</summary>
    public static IReadOnlyList<string> Run(PlotOptions options, TextWriter stderr)
    {
        if (options.Units.Localizer is null) Networks.ValidateLocalized(options.Network);
        FlagChecks.Percentage(options.Percentage);
        string range = LocalizeRange.Parse(options.Range).Text;
        var localizer = options.Units.Localizer is { } reference ? PlotLocalizer.Read(reference) : null;
        string network = localizer?.Name ?? options.Network;
        string pooling = options.Pooling is { } p ? PoolingNames.Parse(p).ToFlag() : localizer?.DefaultPooling?.ToFlag()
            ?? (network == Networks.Language || localizer is { IsBuiltIn: false } ? "last-token" : "mean");
        if (options.Dpi is < 30 or > 1200)
            throw new LlmLocException($"--dpi {options.Dpi} is out of range: give 30 to 1200, e.g. --dpi 300", ExitCodes.Usage);
        if (options.Models.Count == 0 && options.Masks.Count == 0 && options.Summary is null)
            throw new LlmLocException("nothing to plot: give --model-name (cached masks), --mask FILE.npy or --from-summary FILE.csv", ExitCodes.Usage);

        string cache = MaskCacheKey.ResolveCacheDir(options.CacheDir);
        AtomicFile.CheckCanWriteFolder(options.OutputDir ?? cache, options.OutputDir is null ? "--cache-dir" : "--output");
        var columns = new List<Column>();
        foreach (string model in options.Models)
        {
            var key = new MaskCacheKey(MaskCacheKey.ModelIdOf(model), network, pooling, range, options.Percentage, null, !options.Untrained, options.Units.Site);
            if (localizer is not null) key = key with { Network = PlotLocalizer.CacheNetwork(options, model, key, cache) };
            string path = key.MaskPath(cache);
            if (!File.Exists(path))
                throw new LlmLocException($"no cached mask {path}: run `llmloc localize --model-name {model} " +
                    (options.Units.Localizer is { } l ? $"--localizer {l}" : $"--network {options.Network}") + $" --pooling {pooling} " +
                    $"--localize-range {range} --percentage {PythonFormat.Float(options.Percentage)}{(options.Untrained ? " --untrained" : "")}" +
                    (options.Units.Site == UnitSite.Residual ? "" : $" --site {UnitSiteNames.ToFlag(options.Units.Site)}") + "` first");
            columns.Add(new Column(key.ModelId, ToMatrix(UnitMask.Load(path)), key, key.TValuesPath(cache)));
        }
        foreach (string path in options.Masks)
            columns.Add(new Column(LabelOfMaskFile(path), ToMatrix(UnitMask.Load(path)), null, null));
        if (options.Summary is { } summary)
            columns.AddRange(ReadSummary(summary));
        Disambiguate(columns);

        if (!MaskPlots.CanRenderText)
            stderr.WriteLine("llmloc: warning: no system font found; figures are written without text (install e.g. fonts-dejavu-core)");
        string outputDir = options.OutputDir ?? cache;
        string settings = $"network={network}_pooling={pooling}{UnitSiteNames.NameToken(options.Units.Site)}_range={range}_perc={PythonFormat.Float(options.Percentage)}_pretrained={PythonFormat.Bool(!options.Untrained)}";
        var nameParts = new List<string>();
        if (options.Models.Count > 0) nameParts.Add($"model={string.Join('+', options.Models.Select(MaskCacheKey.ModelIdOf))}_{settings}");
        if (options.Masks.Count > 0) nameParts.Add($"mask={string.Join('+', options.Masks.Select(LabelOfMaskFile))}");
        if (options.Summary is not null) nameParts.Add($"summary={Path.GetFileNameWithoutExtension(options.Summary)}");
        string heatmap = Path.Combine(outputDir, FileStem("heatmap_" + string.Join('_', nameParts)));
        // Every figure appears, or none: a failed or killed run leaves no figure and no half-written file.
        using var outputs = new OutputSet();
        MaskPlots.Heatmap(columns.Select(c => (c.Label, c.Mask)).ToList(), dpi: options.Dpi, units: UnitSiteNames.UnitsNoun(options.Units.Site)).AddTo(outputs, heatmap);
        var written = new List<string> { heatmap + ".png", heatmap + ".svg" };

        // The t-value histogram needs the t-values llmloc caches beside the p-values (the original keeps none).
        // One histogram per t-values file, even when a model is given twice.
        var histogramSources = new HashSet<string>();
        foreach (var column in columns)
        {
            if (column.Key is not { } key || column.TValuesPath is not { } tPath || !File.Exists(tPath)) continue;
            if (!histogramSources.Add(Path.GetFullPath(tPath))) continue;
            double[] t = Npy.Read(tPath).ToDoubles();
            string histogram = Path.Combine(outputDir, FileStem(
                $"tvalues_model={key.ModelId}_network={key.Network}_pooling={key.Pooling}{UnitSiteNames.NameToken(key.Site)}_range={key.Range}_perc={PythonFormat.OptionalFloat(key.Percentage)}" +
                $"_nunits={PythonFormat.OptionalInt(key.NumUnits)}_pretrained={PythonFormat.Bool(key.Pretrained)}"));
            MaskPlots.THistogram(t, SelectedMinimum(t, column.Mask), $"{column.Label}, {key.Network}", options.Dpi).AddTo(outputs, histogram);
            written.AddRange([histogram + ".png", histogram + ".svg"]);
        }
        outputs.Commit();
        return written;
    }

    /// <summary>Longest figure name, in UTF-8 bytes without the extension: with ".png" and the temporary-file suffix
    /// (".tmp-{host ≤ 64}-{pid}-{8 hex}", see <see cref="AtomicFile"/>) it stays within NAME_MAX (255 bytes).</summary>
    public const int MaxStemBytes = 150;

    /// <summary>The name itself when it fits <see cref="MaxStemBytes"/>; else its longest prefix that fits with "_" and
    /// the first 12 hex digits of the whole name's SHA-256, so names stay readable, distinct and the same every run.</summary>
    public static string FileStem(string name)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(name) <= MaxStemBytes) return name;
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..12];
        var prefix = new System.Text.StringBuilder();
        int bytes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxStemBytes - 1 - hash.Length) break;
            prefix.Append(rune.ToString());
            bytes += rune.Utf8SequenceLength;
        }
        return $"{prefix}_{hash}";
    }

    /// <summary>A localize cache name gives its model ("gpt2-xl_network=language_…" → "gpt2-xl"); other files their name.</summary>
    static string LabelOfMaskFile(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        int at = name.IndexOf("_network=", StringComparison.Ordinal);
        return at > 0 ? name[..at] : name;
    }

    /// <summary>Equal labels (one model, several settings) get the settings that differ appended.</summary>
    static void Disambiguate(List<Column> columns)
    {
        foreach (var group in columns.Select((c, i) => (c, i)).GroupBy(x => x.c.Label).Where(g => g.Count() > 1).ToList())
            foreach (var (column, index) in group)
            {
                var key = column.Key;
                string detail = key is null ? $"#{index + 1}"
                    : string.Join(" ", new[]
                    {
                        group.Select(x => x.c.Key?.Network).Distinct().Count() > 1 ? key.Network : null,
                        group.Select(x => x.c.Key?.Pooling).Distinct().Count() > 1 ? key.Pooling : null,
                        group.Select(x => x.c.Key?.Site).Distinct().Count() > 1 ? key.Site.ToFlag() : null,
                        group.Select(x => x.c.Key?.Range).Distinct().Count() > 1 ? key.Range : null,
                        group.Select(x => x.c.Key?.Percentage).Distinct().Count() > 1 ? $"{PythonFormat.OptionalFloat(key.Percentage)}%" : null,
                        group.Select(x => x.c.Key?.NumUnits).Distinct().Count() > 1 ? $"{key.NumUnits} units" : null,
                        group.Select(x => x.c.Key?.Pretrained).Distinct().Count() > 1 ? (key.Pretrained ? "trained" : "untrained") : null,
                    }.Where(s => s is not null));
                columns[index] = column with { Label = $"{column.Label} ({(detail.Length > 0 ? detail : $"#{index + 1}")})" };
            }
    }

    static readonly string[] SummaryColumns = ["model", "network", "pooling", "range", "percentage", "num_units", "pretrained", "path"];

    /// <summary>One column per row of a sweep summary: its mask file (`path`), labelled by `model`.</summary>
    static IEnumerable<Column> ReadSummary(string csv)
    {
        if (!File.Exists(csv))
            throw new LlmLocException($"sweep summary {csv} does not exist: check the path given to --from-summary (`llmloc sweep status` writes it)");
        var table = CsvTable.Read(csv);
        var index = SummaryColumns.ToDictionary(c => c, table.ColumnIndex);
        if (index.FirstOrDefault(kv => kv.Value < 0) is { Key: { } missing })
            throw new LlmLocException($"sweep summary {csv} has no '{missing}' column: give the CSV `llmloc sweep status` writes (columns {string.Join(",", SummaryColumns)})");
        if (table.Rows.Count == 0)
            throw new LlmLocException($"sweep summary {csv} has no rows: run the sweep first");
        string folder = Path.GetDirectoryName(Path.GetFullPath(csv))!;
        int siteColumn = table.ColumnIndex("site"); // llmloc's, optional: summaries without it are all resid
        foreach (var (line, fields) in table.Rows)
        {
            string Field(string name) => index[name] < fields.Length ? fields[index[name]] : "";
            string path = Field("path");
            if (!Path.IsPathRooted(path) && !File.Exists(path)) path = Path.Combine(folder, path);
            if (!File.Exists(path))
                throw new LlmLocException($"{csv} line {line}: mask {Field("path")} does not exist: rerun the sweep cell or remove the row");
            double? percentage = double.TryParse(Field("percentage"), NumberStyles.Float, CultureInfo.InvariantCulture, out var pc) ? pc : null;
            long? numUnits = long.TryParse(Field("num_units"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
            bool pretrained = !Field("pretrained").Equals("false", StringComparison.OrdinalIgnoreCase);
            string model = MaskCacheKey.ModelIdOf(Field("model")), network = Field("network"), pooling = Field("pooling"), range = Field("range");
            string siteText = siteColumn >= 0 && siteColumn < fields.Length && fields[siteColumn].Length > 0 ? fields[siteColumn] : UnitSite.Residual.ToFlag();
            // These go into file names (the t-values read, the histogram written): only values localize itself writes
            // (a custom localizer's network is {name}-{hash}, a valid localizer name).
            if (!(Networks.Localized.Contains(network) || Stimuli.LocalizerDefinition.IsValidName(network)) || !PoolingNames.All.Contains(pooling) || !IsRange(range)
                || !UnitSiteNames.All.Contains(siteText))
                throw new LlmLocException($"{csv} line {line}: network '{network}', pooling '{pooling}' or range '{range}' is not a setting llmloc localize " +
                    $"writes (networks {string.Join(", ", Networks.Localized)}; pooling {string.Join(" or ", PoolingNames.All)}; range LOW-HIGH): give the CSV `llmloc sweep status` writes");
            var key = new MaskCacheKey(model, network, pooling, range, percentage, numUnits, pretrained, UnitSiteNames.Parse(siteText));
            yield return new Column(model, ToMatrix(UnitMask.Load(path)), key, Path.Combine(Path.GetDirectoryName(path)!, key.TValuesFileName));
        }
    }

    static bool IsRange(string text)
    {
        try { LocalizeRange.Parse(text); return true; }
        catch (LlmLocException) { return false; }
    }

    static long[,] ToMatrix(UnitMask mask)
    {
        var matrix = new long[mask.Layers, mask.Hidden];
        for (int l = 0; l < mask.Layers; l++)
            for (int u = 0; u < mask.Hidden; u++) matrix[l, u] = mask[l, u];
        return matrix;
    }

    /// <summary>The smallest t among selected units: the top-k threshold (for other ranges, the lowest selected t).</summary>
    static double? SelectedMinimum(double[] t, long[,] mask)
    {
        int hidden = mask.GetLength(1);
        double? min = null;
        for (int i = 0; i < t.Length; i++)
            if (mask[i / hidden, i % hidden] != 0 && !double.IsNaN(t[i]) && (min is null || t[i] < min)) min = t[i];
        return min;
    }
}
