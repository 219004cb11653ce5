using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.Extraction;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc extract</c>: every block's pooled output for a list of sentences or passages, as a float32 .npy
/// (all units, or only the units of a mask) with an item table.</summary>
public static class ExtractCommand
{
    public static Command Create()
    {
        var modelName = SharedFlags.ModelName();
        var input = new Option<string>("--input") { Description = "items: .txt (one per line), .csv (a text column) or .jsonl (\"text\" per line)", Required = true };
        var output = new Option<string>("--output") { Description = "activations .npy (float32 [items × layers × hidden], or [items × units] with a mask)", Required = true };
        var items = new Option<string?>("--items") { Description = "item table .csv or .parquet (default: OUTPUT without .npy + .items.csv)" };
        var units = new Option<string?>("--units") { Description = "units table .csv or .parquet of a masked extraction (default: OUTPUT without .npy + .units.csv)" };
        var pooling = SharedFlags.Pooling("last-token or mean (over the item's tokens), as localize");
        var context = new Option<string>("--context") { Description = "none, or passage: read each item after the earlier items of its passage", DefaultValueFactory = _ => "none" };
        context.AcceptOnlyFromAmong("none", "passage");
        var textColumn = new Option<string>("--text-column") { Description = "CSV column / JSON field holding the text", DefaultValueFactory = _ => "text" };
        var passageColumn = new Option<string>("--passage-column") { Description = "CSV column / JSON field naming the passage", DefaultValueFactory = _ => "passage" };
        var mask = new Option<string?>("--mask") { Description = "0/1 mask .npy [layers × hidden]: write only its units" };
        var network = new Option<string>("--network") { Description = "network of the cached mask used with --percentage", DefaultValueFactory = _ => Networks.Language };
        network.AcceptOnlyFromAmong(Networks.Language);
        var percentage = new Option<double?>("--percentage") { Description = "write only the units of the cached language mask of this percentage" };
        var maskPooling = SharedFlags.Pooling("pooling of the cached language mask", "--mask-pooling");
        var range = SharedFlags.LocalizeRange("localize range of the cached language mask");
        var cacheDir = SharedFlags.CacheDir("where cached masks are (default: $LOC_CACHE, else cache)");
        var device = SharedFlags.Device();
        var untrained = SharedFlags.Untrained("a randomly initialised model of the same architecture");
        var seed = SharedFlags.Seed("seed of untrained weights");
        var offline = SharedFlags.Offline();
        var batchSize = new Option<int>("--batch-size") { Description = "items per forward pass (results do not depend on it)", DefaultValueFactory = _ => 64 };

        var command = new Command("extract", "Record every block's pooled output for your sentences or passages (all units, or only a mask's units).")
        {
            modelName, input, output, items, units, pooling, context, textColumn, passageColumn, mask, network, percentage, maskPooling,
            range, cacheDir, device, untrained, seed, offline, batchSize,
        };
        var modelFlags = new ModelFlags();
        modelFlags.AddTo(command);
        var localizerFlags = new LocalizerFlags("with --percentage: keep the units of this localizer's cached mask instead of the language mask (a built-in's name, a definition FILE.toml or a custom localizer's name)");
        localizerFlags.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new ExtractOptions
            {
                ModelName = parse.GetValue(modelName)!,
                InputFile = parse.GetValue(input)!,
                OutputFile = parse.GetValue(output)!,
                ItemsFile = parse.GetValue(items),
                UnitsFile = parse.GetValue(units),
                Pooling = PoolingNames.Parse(parse.GetValue(pooling)!),
                PassageContext = parse.GetValue(context) == "passage",
                TextColumn = parse.GetValue(textColumn)!,
                PassageColumn = parse.GetValue(passageColumn)!,
                MaskFile = parse.GetValue(mask),
                Percentage = parse.GetValue(percentage),
                MaskPooling = PoolingNames.Parse(parse.GetValue(maskPooling)!),
                Range = LocalizeRange.Parse(parse.GetValue(range)!),
                CacheDir = parse.GetValue(cacheDir),
                Device = parse.GetValue(device),
                Untrained = parse.GetValue(untrained),
                Seed = parse.GetValue(seed),
                Offline = parse.GetValue(offline),
                Weights = modelFlags.WeightsOf(parse),
                DType = parse.GetValue(modelFlags.DType),
                BatchSize = parse.GetValue(batchSize),
                Units = localizerFlags.UnitsOf(parse, parse.GetValue(offline)),
            };
            ExtractRun.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
