using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.Localization;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc localize</c>: localize.py's flags one for one, plus batching, folders and a stats table.</summary>
public static class LocalizeCommand
{
    public static Command Create()
    {
        var modelName = new Option<string>("--model-name") { Description = "Hugging Face model id (org/name[@revision]) or a local model folder", Required = true };
        var percentage = new Option<double?>("--percentage") { Description = "percentage of units to localize (overrides --num-units), e.g. 1" };
        var range = new Option<string>("--localize-range") { Description = "100-100: top units; 0-0: bottom units; x-y: random units between the x-th and y-th t percentiles", DefaultValueFactory = _ => "100-100" };
        var network = new Option<string>("--network") { Description = "localizer to run", DefaultValueFactory = _ => Networks.Language };
        network.AcceptOnlyFromAmong(Networks.Localized);
        var pooling = new Option<string>("--pooling") { Description = "token pooling of block outputs", DefaultValueFactory = _ => "last-token" };
        pooling.AcceptOnlyFromAmong("last-token", "mean");
        var numUnits = new Option<long?>("--num-units") { Description = "exact number of units to localize (when --percentage is not given)" };
        var seed = new Option<int>("--seed") { Description = "seed of the random-range draw (and of ToM answers, untrained weights)", DefaultValueFactory = _ => 42 };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: CUDA when available)" };
        var untrained = new Option<bool>("--untrained") { Description = "localize in a randomly initialised model of the same architecture" };
        var overwrite = new Option<bool>("--overwrite") { Description = "recompute even if the mask is already in the cache" };
        var batchSize = new Option<int>("--batch-size") { Description = "stimuli per forward pass (results do not depend on it)", DefaultValueFactory = _ => 64 };
        var stimuliDir = new Option<string?>("--stimuli-dir") { Description = "folder holding language/ and tom/tomloc/ (default: $LLMLOC_STIMULI, else stimuli)" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "where masks and p-values go (default: $LOC_CACHE, else cache)" };
        var statsOut = new Option<string?>("--stats-out") { Description = "write per-unit layer, unit, t, p, p_fdr, selected to this Parquet file" };
        var offline = new Option<bool>("--offline") { Description = "use only the local Hugging Face cache (as HF_HUB_OFFLINE=1)" };

        var command = new Command("localize", "Find the units selective for a network (language, theory of mind, arithmetic) and cache their mask.")
        {
            modelName, percentage, range, network, pooling, numUnits, seed, device, untrained, overwrite,
            batchSize, stimuliDir, cacheDir, statsOut, offline,
        };
        var modelFlags = new ModelFlags();
        modelFlags.AddTo(command);
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
            };
            Localizer.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
