using System.CommandLine;
using LlmLoc.Cache;
using LlmLoc.IO;
using LlmLoc.Lesion;
using LlmLoc.Numerics;
using LlmLoc.Plotting;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc plot</c>: plot.py's heatmap of the share of selected units per layer (one column per model),
/// plus a histogram of t-values with the selection threshold when localize cached the t-values.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model-name") { Description = "model(s) whose cached masks to plot (one column each)", AllowMultipleArgumentsPerToken = true };
        var masks = new Option<string[]>("--mask") { Description = "mask .npy file(s) to plot instead of cache lookups", AllowMultipleArgumentsPerToken = true };
        var network = new Option<string>("--network") { DefaultValueFactory = _ => "language", Description = "network of the cached masks" };
        var percentage = new Option<double>("--percentage") { DefaultValueFactory = _ => 1.0, Description = "percentage of the cached masks" };
        var pooling = new Option<string?>("--pooling") { Description = "pooling of the cached masks (default as plot.py: last-token for language, else mean)" };
        var range = new Option<string>("--localize-range") { DefaultValueFactory = _ => "100-100", Description = "range of the cached masks" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "cache folder (default: $LOC_CACHE, else cache)" };
        var output = new Option<string?>("--output") { Description = "output path without extension (default: <cache>/heatmap_model=<model>_network=<network>)" };

        var command = new Command("plot", "Heatmap of selected units per layer (PNG + SVG), and a t-value histogram when t-values are cached.")
        { models, masks, network, percentage, pooling, range, cacheDir, output };
        command.SetAction(parse =>
        {
            string cache = MaskCacheKey.ResolveCacheDir(parse.GetValue(cacheDir));
            string net = parse.GetValue(network)!;
            string pool = parse.GetValue(pooling) ?? (net == "language" ? "last-token" : "mean");
            if (parse.GetValue(output) is { } outputPath) AtomicFile.CheckCanWriteFile(outputPath + ".png", "--output");
            var columns = new List<(string label, long[,] mask)>();
            var keys = new List<MaskCacheKey>();
            foreach (string model in parse.GetValue(models) ?? [])
            {
                var key = new MaskCacheKey(MaskCacheKey.ModelIdOf(model), net, pool, parse.GetValue(range)!, parse.GetValue(percentage), null, true);
                string path = key.MaskPath(cache);
                if (!File.Exists(path))
                    throw new LlmLocException($"no cached mask {path}: run `llmloc localize --model-name {model} --network {net} --pooling {pool} --localize-range {key.Range} --percentage {PythonFormat.Float(parse.GetValue(percentage))}` first");
                columns.Add((key.ModelId, ToMatrix(UnitMask.Load(path))));
                keys.Add(key);
            }
            foreach (string path in parse.GetValue(masks) ?? [])
                columns.Add((Path.GetFileNameWithoutExtension(path), ToMatrix(UnitMask.Load(path))));
            if (columns.Count == 0)
                throw new LlmLocException("nothing to plot: give --model-name (cached masks) or --mask FILE.npy", ExitCodes.Usage);

            var stderr = parse.InvocationConfiguration.Error;
            if (!MaskPlots.CanRenderText)
                stderr.WriteLine("llmloc: warning: no system font found; figures are written without text (install e.g. fonts-dejavu-core)");
            string label = string.Join("+", columns.Select(c => c.label));
            string heatmap = parse.GetValue(output) ?? Path.Combine(cache, $"heatmap_model={label}_network={net}");
            MaskPlots.Heatmap(columns, heatmap);
            parse.InvocationConfiguration.Output.WriteLine($"{heatmap}.png");
            parse.InvocationConfiguration.Output.WriteLine($"{heatmap}.svg");

            // The t-value histogram needs the t-values llmloc caches beside the p-values (the original keeps none).
            for (int i = 0; i < keys.Count; i++)
            {
                string tPath = keys[i].TValuesPath(cache);
                if (!File.Exists(tPath)) continue;
                double[] t = Npy.Read(tPath).ToDoubles();
                long[,] mask = columns[i].mask;
                double? threshold = SelectedMinimum(t, mask);
                string histogram = Path.Combine(cache, $"tvalues_model={keys[i].ModelId}_network={net}_pooling={pool}");
                MaskPlots.THistogram(t, threshold, histogram);
                parse.InvocationConfiguration.Output.WriteLine($"{histogram}.png");
            }
            return ExitCodes.Ok;
        });
        return command;
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
