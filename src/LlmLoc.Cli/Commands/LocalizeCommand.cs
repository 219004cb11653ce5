using System.CommandLine;
using LlmLoc.Localization;
using LlmLoc.Stimuli;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc localize</c>: localize.py's flags one for one, plus batching, folders and a stats table.</summary>
public static class LocalizeCommand
{
    public static Command Create()
    {
        var model = new ModelFlags("seed of the random-range draw (and of ToM answers, untrained weights)");
        var mask = new MaskFlags(MaskFlags.Use.Localize);
        var overwrite = new Option<bool>("--overwrite") { Description = "recompute even if the mask is already in the cache" };
        var batchSize = new Option<int>("--batch-size") { Description = "stimuli per forward pass (results do not depend on it)", DefaultValueFactory = _ => 64 };
        var stimuliDir = new Option<string?>("--stimuli-dir") { Description = "folder holding language/ and tom/tomloc/ (default: $LLMLOC_STIMULI, else stimuli)" };
        var statsOut = new Option<string?>("--stats-out") { Description = "write per-unit layer, unit, t, p, p_fdr, selected to this table (.csv or .parquet)" };

        var command = new Command("localize", "Find the units selective for a network (language, theory of mind, arithmetic) and cache their mask.")
        {
            overwrite, batchSize, stimuliDir, statsOut,
        };
        model.AddTo(command);
        mask.AddTo(command);
        command.SetAction(parse =>
        {
            var (stimuli, stimuliExplicit) = StimuliLocation.Resolve(parse.GetValue(stimuliDir));
            var options = new LocalizeOptions
            {
                Model = model.Read(parse),
                Mask = mask.Read(parse),
                Overwrite = parse.GetValue(overwrite),
                BatchSize = parse.GetValue(batchSize),
                StimuliDir = stimuli,
                StimuliDirExplicit = stimuliExplicit,
                StatsOut = parse.GetValue(statsOut),
            };
            Localizer.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
