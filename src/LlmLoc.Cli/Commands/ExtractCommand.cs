using System.CommandLine;
using LlmLoc.Extraction;
using LlmLoc.Masks;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc extract</c>: every block's pooled output for a list of sentences or passages, as a float32 .npy
/// (all units, or only the units of a mask) with an item table.</summary>
public static class ExtractCommand
{
    public static Command Create()
    {
        var model = new ModelFlags("seed of untrained weights");
        // --pooling is the extraction's own; the mask's pooling is --mask-pooling.
        var mask = new MaskFlags(MaskFlags.Use.Lookup, poolingName: "--mask-pooling");
        var input = new Option<string>("--input") { Description = "items: .txt (one per line), .csv (a text column) or .jsonl (\"text\" per line)", Required = true };
        var output = new Option<string>("--output") { Description = "activations .npy (float32 [items × layers × hidden], or [items × units] with a mask)", Required = true };
        var items = new Option<string?>("--items") { Description = "item table .csv or .parquet (default: OUTPUT without .npy + .items.csv)" };
        var units = new Option<string?>("--units") { Description = "units table .csv or .parquet of a masked extraction (default: OUTPUT without .npy + .units.csv)" };
        var pooling = new Option<string>("--pooling") { Description = "last-token or mean (over the item's tokens), as localize", DefaultValueFactory = _ => Pooling.LastToken.ToFlag() };
        pooling.AcceptOnlyFromAmong(PoolingNames.All);
        var context = new Option<string>("--context") { Description = "none, or passage: read each item after the earlier items of its passage", DefaultValueFactory = _ => "none" };
        context.AcceptOnlyFromAmong("none", "passage");
        var textColumn = new Option<string>("--text-column") { Description = "CSV column / JSON field holding the text", DefaultValueFactory = _ => "text" };
        var passageColumn = new Option<string>("--passage-column") { Description = "CSV column / JSON field naming the passage", DefaultValueFactory = _ => "passage" };
        var batchSize = new Option<int>("--batch-size") { Description = "items per forward pass (results do not depend on it)", DefaultValueFactory = _ => 64 };

        var command = new Command("extract", "Record every block's pooled output for your sentences or passages (all units, or only a mask's units).")
        {
            input, output, items, units, pooling, context, textColumn, passageColumn, batchSize,
        };
        model.AddTo(command);
        mask.AddTo(command);
        command.SetAction(parse =>
        {
            var maskSpec = mask.Read(parse);
            var options = new ExtractOptions
            {
                Model = model.Read(parse),
                Mask = mask.NamesAMask(parse) ? maskSpec : null,
                Site = maskSpec.Site,
                InputFile = parse.GetValue(input)!,
                OutputFile = parse.GetValue(output)!,
                ItemsFile = parse.GetValue(items),
                UnitsFile = parse.GetValue(units),
                Pooling = PoolingNames.Parse(parse.GetValue(pooling)!),
                PassageContext = parse.GetValue(context) == "passage",
                TextColumn = parse.GetValue(textColumn)!,
                PassageColumn = parse.GetValue(passageColumn)!,
                BatchSize = parse.GetValue(batchSize),
            };
            ExtractRun.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
