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
        var untrained = new ModelFlags("").Untrained;
        var mask = new MaskFlags(MaskFlags.Use.Lookup, poolingHelp: "the masks' pooling (default as plot.py: last-token for language, else mean)", several: true);
        var summary = new Option<string?>("--from-summary") { Description = "sweep summary CSV (llmloc sweep status): one column per row's mask, labelled by model" };
        var output = new Option<string?>("--output") { Description = "folder for all figures (default: the cache folder)" };
        var dpi = new Option<int>("--dpi") { DefaultValueFactory = _ => MaskPlots.DefaultDpi, Description = "PNG resolution; the heatmap is 4 × 6 inches for one model" };

        var command = new Command("plot", "Heatmap of selected units per layer (PNG + SVG), and a t-value histogram when t-values are cached.")
        { models, untrained, summary, output, dpi };
        mask.AddTo(command);
        command.SetAction(parse =>
        {
            var written = PlotRun.Run(new PlotOptions
            {
                Models = parse.GetValue(models) ?? [],
                Untrained = parse.GetValue(untrained),
                Mask = mask.Read(parse),
                MaskFiles = parse.GetValue(mask.Masks!) ?? [],
                Labels = parse.GetValue(mask.Labels!) ?? [],
                Summary = parse.GetValue(summary),
                OutputDir = parse.GetValue(output),
                Dpi = parse.GetValue(dpi),
            }, parse.InvocationConfiguration.Error);
            foreach (string path in written) parse.InvocationConfiguration.Output.WriteLine(path);
            return ExitCodes.Ok;
        });
        return command;
    }
}
