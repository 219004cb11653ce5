using System.CommandLine;
using LlmLoc.BrainAlignment;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc align</c>: cross-validated linear predictivity of brain responses from a network's units,
/// random units of the same number, and optionally one layer.</summary>
public static class AlignCommand
{
    public static Command Create()
    {
        var model = new ModelFlags("seed of the first random unit set (seeds seed, seed+1, …)", loadsModel: false);
        var mask = new MaskFlags(MaskFlags.Use.Lookup);
        var activations = new Option<string>("--activations") { Description = "activations .npy from `llmloc extract` ([items × layers × hidden], or [items × units])", Required = true };
        var responses = new Option<string>("--responses") { Description = "brain responses [items × columns]: .npy, or .csv with a header line; rows in the order of the extracted items", Required = true };
        var randomSeeds = new Option<int>("--random-seeds") { Description = "number of random unit sets of the mask's size, drawn outside it", DefaultValueFactory = _ => 5 };
        var layer = new Option<string?>("--layer") { Description = "also score all units of this layer (0-based), or of every layer (all)" };
        var method = new Option<string>("--method") { Description = "linear (least squares, as Brain-Score's Pereira2018 linear metric) or ridge (alpha by leave-one-out)", DefaultValueFactory = _ => "linear" };
        method.AcceptOnlyFromAmong("linear", "ridge");
        var folds = new Option<int>("--folds") { Description = "number of cross-validation folds (or shuffle splits)", DefaultValueFactory = _ => 10 };
        var splitSeed = new Option<int>("--split-seed") { Description = "seed of the splits (numpy RandomState, as scikit-learn KFold / ShuffleSplit)", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "write every per-fold and per-column number to this JSON file" };
        var table = new Option<string?>("--table", "--parquet") { Description = "write one row per condition, fold and response column to this table (.csv or .parquet)" };
        // Brain-Score's procedure (docs/alignment.md).
        var cv = new Option<string>("--cv") { Description = "kfold (default) or shuffle-split (scikit-learn ShuffleSplit: --folds independent random splits)", DefaultValueFactory = _ => "kfold" };
        cv.AcceptOnlyFromAmong("kfold", "shuffle-split");
        var trainSize = new Option<double?>("--train-size") { Description = "training fraction of each shuffle split (default 0.9)" };
        var brainscore = new Option<bool>("--brainscore") { Description = "Brain-Score's Pereira2018 linear metric: " + BrainScoreProcedure.PresetFlags };
        var ceiling = new Option<string[]>("--ceiling") { Description = "also report score / ceiling clipped to [0, 1]: C, or GROUP=C per group (repeat)", AllowMultipleArgumentsPerToken = false };
        var groupColumn = new Option<string?>("--group-column") { Description = "score each group of this item-table column separately and average (needs --items)" };
        var itemsTable = new Option<string?>("--items") { Description = "item table .csv or .parquet from `llmloc extract` (for --group-column)" };

        var command = new Command("align", "Score brain alignment: cross-validated linear predictivity of brain responses from a network's units vs random units.")
        {
            activations, responses, randomSeeds, layer, method, folds, splitSeed, json, table,
            cv, trainSize, brainscore, ceiling, groupColumn, itemsTable,
        };
        model.AddTo(command);
        mask.AddTo(command);
        command.SetAction(parse =>
        {
            var modelSpec = model.ReadOptional(parse);
            var options = new AlignOptions
            {
                ActivationsFile = parse.GetValue(activations)!,
                ResponsesFile = parse.GetValue(responses)!,
                Model = modelSpec,
                Mask = mask.Read(parse),
                Seed = parse.GetValue(model.Seed),
                RandomSeeds = parse.GetValue(randomSeeds),
                Layer = BrainScoreProcedure.ParseLayer(parse.GetValue(layer)),
                Method = parse.GetValue(method) == "ridge" ? RegressionMethod.Ridge : RegressionMethod.Linear,
                Folds = parse.GetValue(folds),
                SplitSeed = parse.GetValue(splitSeed),
                JsonOut = parse.GetValue(json),
                TableOut = parse.GetValue(table),
                CrossValidation = parse.GetValue(cv) == "shuffle-split" ? CrossValidationScheme.ShuffleSplit : CrossValidationScheme.KFold,
                TrainSize = parse.GetValue(trainSize),
                BrainScore = parse.GetValue(brainscore),
                Ceilings = parse.GetValue(ceiling) ?? [],
                GroupColumn = parse.GetValue(groupColumn),
                ItemsFile = parse.GetValue(itemsTable),
                AllLayers = parse.GetValue(layer) == "all",
                ExplicitFlags = new Option[] { cv, folds, trainSize, splitSeed, method }.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToArray(),
            };
            AlignRun.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
