using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.Stimuli;
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
            output.WriteLine();
            output.WriteLine("Built-in localizers (positive > negative):");
            foreach (var builtIn in Stimuli.LocalizerDefinition.BuiltIns)
                output.WriteLine($"  {builtIn.Name,-16} {builtIn.ConditionNames.Positive} > {builtIn.ConditionNames.Negative}" +
                    (builtIn.MaxTokens is { } max ? $", first {max} tokens" : "") + $": {builtIn.Description}");
            output.WriteLine();
            output.Write(Stimuli.LocalizerFile.FormatHelp);
            return ExitCodes.Ok;
        });

        // llmloc stimuli export: a built-in localizer as a definition file and its two conditions.
        var exportNetwork = new Option<string>("--network") { Description = "built-in localizer to write out", Required = true };
        exportNetwork.AcceptOnlyFromAmong([.. Stimuli.LocalizerDefinition.BuiltIns.Select(b => b.Name)]);
        var exportOut = new Option<string>("--out") { Description = "folder for NAME.toml and the two condition files", Required = true };
        var exportName = new Option<string?>("--name") { Description = "the definition's name (default: NETWORK-copy)" };
        var exportSeed = new Option<int>("--seed") { Description = "seed of theory-of-mind's True/False answers (as localize --seed)", DefaultValueFactory = _ => 42 };
        var export = new Command("export", "Write a built-in localizer as a definition file (NAME.toml) and its two conditions, exactly the strings it feeds the model.")
            { exportNetwork, exportOut, exportName, exportSeed, dir };
        export.SetAction(parse =>
        {
            var (folder, isExplicit) = StimuliLocation.Resolve(parse.GetValue(dir));
            var written = Stimuli.LocalizerExport.Write(new Stimuli.LocalizerExportOptions
            {
                Network = parse.GetValue(exportNetwork)!, OutputDir = parse.GetValue(exportOut)!, Name = parse.GetValue(exportName),
                Seed = parse.GetValue(exportSeed), StimuliDir = folder, StimuliDirExplicit = isExplicit,
            }, parse.InvocationConfiguration.Error);
            foreach (string path in written) parse.InvocationConfiguration.Output.WriteLine(path);
            return ExitCodes.Ok;
        });

        return new Command("stimuli", "Manage localizer stimuli.") { download, list, export };
    }
}
