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
        var layer = new Option<int?>("--layer") { Description = "also score all units of this layer (0-based)" };
        var method = new Option<string>("--method") { Description = "linear (least squares, as Brain-Score's Pereira2018 linear metric) or ridge (alpha by leave-one-out)", DefaultValueFactory = _ => "linear" };
        method.AcceptOnlyFromAmong("linear", "ridge");
        var folds = new Option<int>("--folds") { Description = "number of cross-validation folds", DefaultValueFactory = _ => 10 };
        var splitSeed = new Option<int>("--split-seed") { Description = "seed of the fold split (numpy RandomState shuffle, as scikit-learn KFold)", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "write every per-fold and per-column number to this JSON file" };
        var table = new Option<string?>("--table", "--parquet") { Description = "write one row per condition, fold and response column to this table (.csv or .parquet)" };

        var command = new Command("align", "Score brain alignment: cross-validated linear predictivity of brain responses from a network's units vs random units.")
        {
            activations, responses, randomSeeds, layer, method, folds, splitSeed, json, table,
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
                Layer = parse.GetValue(layer),
                Method = parse.GetValue(method) == "ridge" ? RegressionMethod.Ridge : RegressionMethod.Linear,
                Folds = parse.GetValue(folds),
                SplitSeed = parse.GetValue(splitSeed),
                JsonOut = parse.GetValue(json),
                TableOut = parse.GetValue(table),
            };
            AlignRun.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
