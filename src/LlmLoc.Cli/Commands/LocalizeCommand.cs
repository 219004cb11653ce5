using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.Localization;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc localize</c>: localize.py's flags one for one, plus batching, folders and a stats table.</summary>
public static class LocalizeCommand
{
    public static Command Create()
    {
        var modelName = SharedFlags.ModelName();
        var percentage = new Option<double?>("--percentage") { Description = "percentage of units to localize (overrides --num-units), e.g. 1" };
        var range = SharedFlags.LocalizeRange("100-100: top units; 0-0: bottom units; x-y: random units between the x-th and y-th t percentiles");
        var network = new Option<string>("--network") { Description = "localizer to run", DefaultValueFactory = _ => Networks.Language };
        network.AcceptOnlyFromAmong(Networks.Localized);
        var pooling = SharedFlags.Pooling("token pooling of block outputs");
        var numUnits = new Option<long?>("--num-units") { Description = "exact number of units to localize (when --percentage is not given)" };
        var seed = SharedFlags.Seed("seed of the random-range draw (and of ToM answers, untrained weights)");
        var device = SharedFlags.Device();
        var untrained = SharedFlags.Untrained("localize in a randomly initialised model of the same architecture");
        var overwrite = new Option<bool>("--overwrite") { Description = "recompute even if the mask is already in the cache" };
        var batchSize = new Option<int>("--batch-size") { Description = "stimuli per forward pass (results do not depend on it)", DefaultValueFactory = _ => 64 };
        var stimuliDir = new Option<string?>("--stimuli-dir") { Description = "folder holding language/ and tom/tomloc/ (default: $LLMLOC_STIMULI, else stimuli)" };
        var cacheDir = SharedFlags.CacheDir("where masks and p-values go (default: $LOC_CACHE, else cache)");
        var statsOut = new Option<string?>("--stats-out") { Description = "write per-unit layer, unit, t, p, p_fdr, selected to this Parquet file" };
        var offline = SharedFlags.Offline();

        var command = new Command("localize", "Find the units selective for a network (language, theory of mind, arithmetic) and cache their mask.")
        {
            modelName, percentage, range, network, pooling, numUnits, seed, device, untrained, overwrite,
            batchSize, stimuliDir, cacheDir, statsOut, offline,
        };
        var modelFlags = new ModelFlags();
        modelFlags.AddTo(command);
        var localizerFlags = new LocalizerFlags("a localizer definition file (FILE.toml: name, positive, negative, …; see `llmloc stimuli list`) or a built-in's name, instead of --network");
        localizerFlags.AddTo(command);
        command.SetAction(parse =>
        {
            var (stimuli, stimuliExplicit) = StimuliLocation.Resolve(parse.GetValue(stimuliDir));
            var options = new LocalizeOptions
            {
                ModelName = parse.GetValue(modelName)!,
                Percentage = parse.GetValue(percentage),
                Range = LocalizeRange.Parse(parse.GetValue(range)!),
                Network = parse.GetValue(network)!,
                Pooling = PoolingNames.Parse(parse.GetValue(pooling)!),
                NumUnits = parse.GetValue(numUnits),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device),
                Untrained = parse.GetValue(untrained),
                Overwrite = parse.GetValue(overwrite),
                BatchSize = parse.GetValue(batchSize),
                StimuliDir = stimuli,
                StimuliDirExplicit = stimuliExplicit,
                CacheDir = parse.GetValue(cacheDir),
                StatsOut = parse.GetValue(statsOut),
                Offline = parse.GetValue(offline),
                Weights = modelFlags.WeightsOf(parse),
                DType = parse.GetValue(modelFlags.DType),
                Localizer = localizerFlags.LocalizerOf(parse),
                Site = localizerFlags.SiteOf(parse),
                PoolingIsDefault = LocalizerFlags.NotGiven(parse, pooling),
            };
            Localizer.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
