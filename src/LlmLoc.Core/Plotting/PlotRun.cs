using LlmLoc.Masks;
using System.Globalization;
using LlmLoc.IO;
using LlmLoc.Models;
using LlmLoc.Numerics;
using LlmLoc.Sessions;
using LlmLoc.Stimuli;

namespace LlmLoc.Plotting;

/// <summary>Everything <c>llmloc plot</c> takes.</summary>
public sealed record PlotOptions
{
    /// <summary>Models whose cached masks (<see cref="Mask"/>'s settings) are plotted, a column each.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary>The cached masks' settings; pooling null: plot.py's default, last-token for language, mean otherwise.</summary>
    public MaskSpec Mask { get; init; } = new();
    /// <summary>--mask files, a column each after the models'.</summary>
    public IReadOnlyList<string> MaskFiles { get; init; } = [];
    /// <summary>A sweep summary CSV (model, network, pooling, range, percentage, num_units, pretrained, path).</summary>
    public string? Summary { get; init; }
    /// <summary>--label: the columns' names, in column order (models, then mask files, then summary rows).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
    public bool Untrained { get; init; }
    /// <summary>Folder for every figure (default: the cache folder).</summary>
    public string? OutputDir { get; init; }
    public int Dpi { get; init; } = MaskPlots.DefaultDpi;
}

/// <summary>
/// The plot verb: one heatmap column per mask (cache lookups by model, mask files, rows of a sweep summary),
/// labelled by model name, and a t-value histogram for each cached mask whose t-values localize kept.
/// File names hold every option of the cache key, so plots of different settings never overwrite each other.
/// </summary>
public static class PlotRun
{
    sealed record Column(string Label, long[,] Mask, MaskCacheKey? Key, string? TValuesPath);

    /// <summary>The colour bar's units: the MLP site's when every column is at it (a mask file not named as a cache
    /// name is at --site).</summary>
    static string SitesNoun(IReadOnlyList<Column> columns, UnitSite site) =>
        columns.Select(c => c.Key?.Site ?? site).Distinct().ToList() is [var only] ? only.UnitsNoun() : UnitSite.Residual.UnitsNoun();

    /// <summary>Returns the files written (PNG and SVG of the heatmap and of each histogram), all or none.</summary>
    public static IReadOnlyList<string> Run(PlotOptions options, TextWriter stderr)
    {
        var spec = options.Mask;
        spec.Validate();
        var pooling = spec.PoolingOf(spec.Network, PoolingDefaults.PerNetwork);
        if (options.Dpi is < 30 or > 1200)
            throw new LlmLocException($"--dpi {options.Dpi} is out of range: give 30 to 1200, e.g. --dpi 300", ExitCodes.Usage);
        if (options.Models.Count == 0 && options.MaskFiles.Count == 0 && options.Summary is null)
            throw new LlmLocException("nothing to plot: give --model-name (cached masks), --mask FILE.npy or --from-summary FILE.csv", ExitCodes.Usage);

        var cache = spec.Cache;
        string cacheFolder = cache.Folder;
        AtomicFile.CheckCanWriteFolder(options.OutputDir ?? cacheFolder, options.OutputDir is null ? "--cache-dir" : "--output");
        var columns = new List<Column>();
        foreach (string model in options.Models)
        {
            // A custom localizer's cache network depends on each model's tokenizer.
            var key = LocalizerReference.Resolve(spec, new ModelSpec(model) { Untrained = options.Untrained }).Key(model, options.Untrained, pooling);
            string command = $"llmloc localize --model-name {model} {spec.Flags(pooling)}{(options.Untrained ? " --untrained" : "")}";
            key = cache.Find(key);
            columns.Add(new Column(key.ModelId, ToMatrix(cache.Load(key, command)), key, cache.TValuesPath(key)));
        }
        foreach (string path in options.MaskFiles)
        {
            if (!File.Exists(path))
                throw new LlmLocException($"mask file {path} does not exist: give the path of a .npy mask (e.g. one `llmloc localize` wrote)");
            var key = MaskCacheKey.TryParse(path);
            columns.Add(new Column(key?.ModelId ?? Path.GetFileNameWithoutExtension(path), ToMatrix(UnitMask.Load(path)), key,
                key is null ? null : Path.Combine(Path.GetDirectoryName(path)!, key.TValuesFileName)));
        }
        if (options.Summary is { } summary)
            columns.AddRange(ReadSummary(summary));
        if (options.Labels.Count > 0)
        {
            if (options.Labels.Count != columns.Count)
                throw new LlmLocException($"{options.Labels.Count} --label value(s) for {columns.Count} column(s): give one label per column, in the order models, --mask files, summary rows", ExitCodes.Usage);
            for (int i = 0; i < columns.Count; i++) columns[i] = columns[i] with { Label = options.Labels[i] };
        }
        else Disambiguate(columns);

        if (!MaskPlots.CanRenderText)
            stderr.WriteLine("llmloc: warning: no system font found; figures are written without text (install e.g. fonts-dejavu-core)");
        string outputDir = options.OutputDir ?? cacheFolder;
        var nameParts = new List<string>();
        if (options.Models.Count > 0)
        {
            var key = (spec with { Localizer = null }).Key("", options.Untrained, pooling);
            string settings = $"network={key.Network}_pooling={key.Pooling}{key.Site.NameToken()}_range={key.Range}_perc={PythonFormat.OptionalFloat(key.Percentage)}" +
                (key.NumUnits is { } n ? $"_nunits={n}" : "") + $"_pretrained={PythonFormat.Bool(key.Pretrained)}";
            nameParts.Add($"model={string.Join('+', options.Models.Select(MaskCacheKey.ModelIdOf))}_{settings}");
        }
        // A localize cache name is named by its model ("gpt2-xl_network=language_…" → "gpt2-xl"), other files by their name.
        if (options.MaskFiles.Count > 0)
            nameParts.Add($"mask={string.Join('+', options.MaskFiles.Select(f => MaskCacheKey.TryParse(f)?.ModelId ?? Path.GetFileNameWithoutExtension(f)))}");
        if (options.Summary is not null) nameParts.Add($"summary={Path.GetFileNameWithoutExtension(options.Summary)}");
        string heatmap = Path.Combine(outputDir, FileStem("heatmap_" + string.Join('_', nameParts)));
        // Every figure appears, or none: a failed or killed run leaves no figure and no half-written file.
        using var outputs = new OutputSet();
        MaskPlots.Heatmap(columns.Select(c => (c.Label, c.Mask)).ToList(), dpi: options.Dpi, units: SitesNoun(columns, spec.Site)).AddTo(outputs, heatmap);
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
                $"tvalues_model={key.ModelId}_network={key.Network}_pooling={key.Pooling}{key.Site.NameToken()}_range={key.Range}_perc={PythonFormat.OptionalFloat(key.Percentage)}" +
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
            string site = siteColumn >= 0 && siteColumn < fields.Length && fields[siteColumn].Length > 0 ? fields[siteColumn] : UnitSite.Residual.ToFlag();
            // These go into file names (the t-values read, the histogram written): only values localize itself writes.
            if (!Networks.IsName(network) || !PoolingNames.All.Contains(pooling) || !IsRange(range) || !UnitSiteNames.All.Contains(site))
                throw new LlmLocException($"{csv} line {line}: network '{network}', pooling '{pooling}', range '{range}' or site '{site}' is not a setting llmloc localize " +
                    $"writes (networks such as {string.Join(", ", Networks.Localized)}; pooling {string.Join(" or ", PoolingNames.All)}; range LOW-HIGH; site {string.Join(" or ", UnitSiteNames.All)}): give the CSV `llmloc sweep status` writes");
            var key = new MaskCacheKey(model, network, pooling, range, percentage, numUnits, pretrained, UnitSiteNames.Parse(site));
            yield return new Column(model, ToMatrix(UnitMask.Load(path, key.Site)), key, Path.Combine(Path.GetDirectoryName(path)!, key.TValuesFileName));
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
