using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.BrainAlignment;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc align</c>: cross-validated linear predictivity of brain responses from the language units,
/// random units of the same number, and optionally one layer.</summary>
public static class AlignCommand
{
    public static Command Create()
    {
        var activations = new Option<string>("--activations") { Description = "activations .npy from `llmloc extract` ([items × layers × hidden], or [items × units])", Required = true };
        var responses = new Option<string>("--responses") { Description = "brain responses [items × columns]: .npy, or .csv with a header line; rows in the order of the extracted items", Required = true };
        var mask = new Option<string?>("--mask") { Description = "language mask .npy [layers × hidden] (instead of the cached one of --model-name)" };
        var modelName = new Option<string?>("--model-name") { Description = "model whose cached language mask to use (as evaluate)" };
        var percentage = new Option<double>("--percentage") { Description = "percentage of the cached language mask", DefaultValueFactory = _ => 1.0 };
        var pooling = SharedFlags.Pooling("pooling of the cached language mask");
        var range = SharedFlags.LocalizeRange("localize range of the cached language mask");
        var cacheDir = SharedFlags.CacheDir("where cached masks are (default: $LOC_CACHE, else cache)");
        var untrained = SharedFlags.Untrained("use the mask localized in the untrained model (pretrained=False)");
        var seed = SharedFlags.Seed("seed of the first random unit set (seeds seed, seed+1, …)");
        var randomSeeds = new Option<int>("--random-seeds") { Description = "number of random unit sets of the language mask's size, drawn outside it", DefaultValueFactory = _ => 5 };
        var layer = new Option<int?>("--layer") { Description = "also score all units of this layer (0-based)" };
        var method = new Option<string>("--method") { Description = "linear (least squares, as Brain-Score's Pereira2018 linear metric) or ridge (alpha by leave-one-out)", DefaultValueFactory = _ => "linear" };
        method.AcceptOnlyFromAmong("linear", "ridge");
        var folds = new Option<int>("--folds") { Description = "number of cross-validation folds", DefaultValueFactory = _ => 10 };
        var splitSeed = new Option<int>("--split-seed") { Description = "seed of the fold split (numpy RandomState shuffle, as scikit-learn KFold)", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "write every per-fold and per-column number to this JSON file" };
        var parquet = new Option<string?>("--parquet") { Description = "write one row per condition, fold and response column to this Parquet file" };

        var command = new Command("align", "Score brain alignment: cross-validated linear predictivity of brain responses from language units vs random units.")
        {
            activations, responses, mask, modelName, percentage, pooling, range, cacheDir, untrained, seed, randomSeeds, layer,
            method, folds, splitSeed, json, parquet,
        };
        var localizerFlags = new LocalizerFlags("compare this localizer's cached mask instead of the language mask (a built-in's name, a definition FILE.toml or a custom localizer's name)");
        localizerFlags.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new AlignOptions
            {
                ActivationsFile = parse.GetValue(activations)!,
                ResponsesFile = parse.GetValue(responses)!,
                MaskFile = parse.GetValue(mask),
                ModelName = parse.GetValue(modelName),
                Percentage = parse.GetValue(percentage),
                Pooling = PoolingNames.Parse(parse.GetValue(pooling)!),
                Range = LocalizeRange.Parse(parse.GetValue(range)!),
                CacheDir = parse.GetValue(cacheDir),
                Untrained = parse.GetValue(untrained),
                Seed = parse.GetValue(seed),
                RandomSeeds = parse.GetValue(randomSeeds),
                Layer = parse.GetValue(layer),
                Method = parse.GetValue(method) == "ridge" ? RegressionMethod.Ridge : RegressionMethod.Linear,
                Folds = parse.GetValue(folds),
                SplitSeed = parse.GetValue(splitSeed),
                JsonOut = parse.GetValue(json),
                ParquetOut = parse.GetValue(parquet),
                Units = localizerFlags.UnitsOf(parse),
            };
            AlignRun.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
