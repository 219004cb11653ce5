using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LlmLoc.IO;
using Spectre.Console;

namespace LlmLoc.BrainAlignment;

/// <summary>align's outputs: the summary table (stdout), and every per-fold and per-column number as JSON and as a
/// long Parquet table.</summary>
public static class AlignReport
{
    public static void WriteTable(AlignResult result, TextWriter writer)
    {
        var console = Reporting.PlainConsole.For(writer);
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("condition");
        foreach (string c in new[] { "units", "score", "sd (folds)", "NaN r" })
            table.AddColumn(new TableColumn(c).RightAligned());
        foreach (var s in result.Conditions)
            table.AddRow(AlignRun.Label(s.Condition), s.Condition.Columns.Length.ToString(CultureInfo.InvariantCulture),
                F(s.Score.Score), F(s.Score.FoldSd), s.Score.Folds.Sum(f => f.NanColumns).ToString(CultureInfo.InvariantCulture));

        var random = result.Conditions.Where(s => s.Condition.Name == AlignConditionNames.Random).Select(s => s.Score.Score).ToArray();
        string network = result.Options.Mask.Network;
        var language = result.Conditions.FirstOrDefault(s => s.Condition.Name == network);
        if (random.Length > 1)
            table.AddRow($"random ({random.Length} seeds)", result.Conditions.First(s => s.Condition.Name == AlignConditionNames.Random).Condition.Columns.Length.ToString(CultureInfo.InvariantCulture),
                $"{F(random.Average())} ± {F(MathNet.Numerics.Statistics.Statistics.StandardDeviation(random))}", "(sd over seeds)", "");
        console.Write(table);
        writer.WriteLine($"{result.Options.Method.ToString().ToLowerInvariant()} regression, {result.Options.Folds} folds (split seed {result.Options.SplitSeed}), " +
            $"{result.Items} items, {result.Responses.Values.ColumnCount} response columns; score = mean over folds of the median Pearson r over columns");
        if (language is not null)
            writer.WriteLine($"{network}: {result.Options.Mask.Describe(result.Options.Mask.Pooling ?? Masks.Pooling.LastToken)}; random: {random.Length} set(s) of its size drawn outside it");
        if (language is not null && random.Length > 0)
        {
            double l = language.Score.Score;
            writer.WriteLine($"{network} − random: {(l - random.Average() >= 0 ? "+" : "")}{F(l - random.Average())}; " +
                $"random sets scoring at least the {network} units: {random.Count(r => r >= l)} of {random.Length}");
        }
    }

    static string F(double value) => double.IsNaN(value) ? "NaN" : value.ToString("F4", CultureInfo.InvariantCulture);

    public sealed record FoldRecord(int Fold, double? Alpha, double Median, int NanColumns, double[] R);

    public sealed record ConditionRecord(string Condition, int? Seed, int? Layer, int Units, double Score, double FoldSd,
        int NanR, IReadOnlyList<FoldRecord> Folds);

    public sealed record Document(string Activations, string Responses, int[] ActivationShape, string Method, int Folds, int SplitSeed,
        double[]? Alphas, int Items, int[] ResponseColumns, IReadOnlyList<string> ResponseColumnNames, int DroppedResponseColumns,
        int[][] TestSets, IReadOnlyList<ConditionRecord> Conditions);

    public static Document ToDocument(AlignResult result) => new(
        result.Options.ActivationsFile, result.Options.ResponsesFile, result.ActivationShape,
        result.Options.Method.ToString().ToLowerInvariant(), result.Options.Folds, result.Options.SplitSeed,
        result.Options.Method == RegressionMethod.Ridge ? LinearPredictivity.DefaultAlphas : null,
        result.Items, result.Responses.Kept, result.Responses.Names, result.Responses.Dropped, result.TestSets,
        result.Conditions.Select(s => new ConditionRecord(s.Condition.Name, s.Condition.Seed, s.Condition.Layer, s.Condition.Columns.Length,
            s.Score.Score, s.Score.FoldSd, s.Score.Folds.Sum(f => f.NanColumns),
            s.Score.Folds.Select(f => new FoldRecord(f.Fold, f.Alpha, f.Median, f.NanColumns, f.R)).ToList())).ToList());

    public static void WriteJson(AlignResult result, Stream stream) => JsonSerializer.Serialize(stream, ToDocument(result), IO.JsonOutput.Options);

    /// <summary>One Parquet row per condition × fold × response column.</summary>
    public sealed class Row
    {
#pragma warning disable IDE1006 // column names match the JSON keys
        public string condition { get; set; } = "";
        public int? seed { get; set; }
        public int? layer { get; set; }
        public int units { get; set; }
        public int fold { get; set; }
        public double? alpha { get; set; }
        public int column { get; set; }
        public string column_name { get; set; } = "";
        public double r { get; set; }
        public double fold_median { get; set; }
        public double score { get; set; }
#pragma warning restore IDE1006
    }

    public static IReadOnlyList<Row> ToRows(AlignResult result) =>
        result.Conditions.SelectMany(s => s.Score.Folds.SelectMany(f => f.R.Select((r, c) => new Row
        {
            condition = s.Condition.Name, seed = s.Condition.Seed, layer = s.Condition.Layer, units = s.Condition.Columns.Length,
            fold = f.Fold, alpha = f.Alpha, column = result.Responses.Kept[c], column_name = result.Responses.Names[c],
            r = r, fold_median = f.Median, score = s.Score.Score,
        }))).ToList();

}
