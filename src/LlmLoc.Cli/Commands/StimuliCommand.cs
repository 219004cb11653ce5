using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.Localization;
using LlmLoc.Stimuli.Download;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc stimuli download|list</c>: fetch the localizer stimuli (as the original's download scripts) and show what is installed.</summary>
public static class StimuliCommand
{
    public static Command Create()
    {
        var dir = new Option<string?>("--stimuli-dir") { Description = "stimuli folder (default: $LLMLOC_STIMULI, else stimuli)" };
        var network = new Option<string>("--network") { Description = "which stimuli to fetch", DefaultValueFactory = _ => "all" };
        network.AcceptOnlyFromAmong([.. StimuliDownloader.Networks]);

        var download = new Command("download", "Download the language and theory-of-mind localizer stimuli (the arithmetic localizer needs none).") { network, dir };
        download.SetAction(async (parse, ct) =>
        {
            string folder = parse.GetValue(dir) ?? StimuliLocation.Default();
            var result = await new StimuliDownloader(StimuliSources.FromEnvironment()).DownloadAsync(parse.GetValue(network)!, folder, parse.InvocationConfiguration.Error, ct);
            parse.InvocationConfiguration.Output.WriteLine(
                $"stimuli in {Path.GetFullPath(folder)}: {result.Downloaded.Count} downloaded, {result.Skipped.Count} already present");
            return ExitCodes.Ok;
        });

        var list = new Command("list", "Show which localizer stimuli are installed and how many items each condition has.") { dir };
        list.SetAction(parse =>
        {
            string folder = parse.GetValue(dir) ?? StimuliLocation.Default();
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"{"network",-16} {"condition",-10} {"items",6}  path");
            foreach (var (net, condition, items, path) in StimuliInventory.Describe(folder))
                output.WriteLine($"{net,-16} {condition,-10} {items,6}  {path}");
            output.WriteLine($"{"multiple-demand",-16} {"+/-",-10} {"100+100",6}  (generated, no files)");
            return ExitCodes.Ok;
        });

        return new Command("stimuli", "Manage localizer stimuli.") { download, list };
    }
}
