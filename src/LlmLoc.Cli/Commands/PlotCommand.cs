using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.Plotting;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc plot</c>: plot.py's heatmap of the share of selected units per layer (one column per model),
/// plus a histogram of t-values with the selection threshold when localize cached the t-values.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model-name") { Description = "model(s) whose cached masks to plot (one column each)", AllowMultipleArgumentsPerToken = true };
        var masks = new Option<string[]>("--mask") { Description = "mask .npy file(s) to plot (a localize cache name is labelled by its model)", AllowMultipleArgumentsPerToken = true };
        var summary = new Option<string?>("--from-summary") { Description = "sweep summary CSV (llmloc sweep status): one column per row's mask, labelled by model" };
        var network = new Option<string>("--network") { DefaultValueFactory = _ => Networks.Language, Description = "network of the cached masks" };
        network.AcceptOnlyFromAmong(Networks.Localized);
        var percentage = new Option<double>("--percentage") { DefaultValueFactory = _ => 1.0, Description = "percentage of the cached masks" };
        var pooling = SharedFlags.PoolingOrDefault("pooling of the cached masks (default as plot.py: last-token for language, else mean)");
        var range = SharedFlags.LocalizeRange("range of the cached masks");
        var untrained = SharedFlags.Untrained("plot the masks of randomly initialised models (pretrained=False)");
        var cacheDir = SharedFlags.CacheDir("cache folder (default: $LOC_CACHE, else cache)");
        var output = new Option<string?>("--output") { Description = "folder for all figures (default: the cache folder)" };
        var dpi = new Option<int>("--dpi") { DefaultValueFactory = _ => MaskPlots.DefaultDpi, Description = "PNG resolution; the heatmap is 4 × 6 inches for one model" };

        var command = new Command("plot", "Heatmap of selected units per layer (PNG + SVG), and a t-value histogram when t-values are cached.")
        { models, masks, summary, network, percentage, pooling, range, untrained, cacheDir, output, dpi };
        var localizerFlags = new LocalizerFlags("plot this localizer's cached masks instead of --network's: a built-in's name, a definition FILE.toml or a custom localizer's name");
        localizerFlags.AddTo(command);
        command.SetAction(parse =>
        {
            var written = PlotRun.Run(new PlotOptions
            {
                Models = parse.GetValue(models) ?? [],
                Masks = parse.GetValue(masks) ?? [],
                Summary = parse.GetValue(summary),
                Network = parse.GetValue(network)!,
                Pooling = parse.GetValue(pooling),
                Range = parse.GetValue(range)!,
                Percentage = parse.GetValue(percentage),
                Untrained = parse.GetValue(untrained),
                CacheDir = parse.GetValue(cacheDir),
                OutputDir = parse.GetValue(output),
                Dpi = parse.GetValue(dpi),
                Units = localizerFlags.UnitsOf(parse),
            }, parse.InvocationConfiguration.Error);
            foreach (string path in written) parse.InvocationConfiguration.Output.WriteLine(path);
            return ExitCodes.Ok;
        });
        return command;
    }
}
