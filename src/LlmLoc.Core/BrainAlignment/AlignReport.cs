using System.Globalization;
using System.Text.Json;
using LlmLoc.IO;
using Spectre.Console;

namespace LlmLoc.BrainAlignment;

/// <summary>align's outputs: the summary table (stdout), and every per-split and per-column number as JSON (schema in
/// docs/alignment.md, <see cref="FormatVersion"/>) and as a long Parquet table.</summary>
public static class AlignReport
{
    /// <summary>2: groups, splits with train and test sets, Brain-Score's standard error, ceilings, the comparison.
    /// (Version 1, unnumbered, had one group and test sets only.)</summary>
    public const int FormatVersion = 2;

    public static void WriteTable(AlignResult result, TextWriter writer)
    {
        var options = result.Options;
        bool grouped = options.GroupColumn is not null, normalised = result.Groups.Any(g => g.Ceiling is not null);
        string splits = AlignRun.SplitWord(options);
        var console = Reporting.PlainConsole.For(writer);
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("condition");
        var columns = new List<string> { "units" };
        if (grouped) columns.AddRange([.. result.Groups.Select(g => $"{g.Name} (± s.e.)"), "mean"]);
        else columns.AddRange(["score", $"sd ({splits})", "s.e. (Brain-Score)"]);
        if (normalised) columns.Add("normalised");
        columns.Add("NaN r");
        foreach (string c in columns) table.AddColumn(new TableColumn(c).RightAligned());

        foreach (var s in result.Conditions)
        {
            var cells = new List<string> { AlignRun.Label(s.Condition), I(s.Condition.Columns.Length) };
            if (grouped) cells.AddRange([.. s.Groups.Select(g => $"{F(g.Score.Score)} ± {F(g.Score.BrainScoreError)}"), F(s.Score)]);
            else cells.AddRange([F(s.Score), F(s.Groups[0].Score.FoldSd), F(s.Groups[0].Score.BrainScoreError)]);
            if (normalised) cells.Add(F(s.Normalised ?? double.NaN));
            cells.Add(I(s.NanR));
            table.AddRow([.. cells]);
        }
        var random = result.Conditions.Where(s => s.Condition.Name == AlignConditionNames.Random).ToArray();
        if (random.Length > 1)
        {
            double[] scores = random.Select(s => s.Score).ToArray();
            // Mean ± sd over the seeds in the score (or mean over groups) column.
            var cells = new List<string> { $"random ({random.Length} seeds)", I(random[0].Condition.Columns.Length) };
            int at = columns.IndexOf(grouped ? "mean" : "score") + 1;
            while (cells.Count < at) cells.Add("");
            cells.AddRange([$"{F(scores.Average())} ± {F(MathNet.Numerics.Statistics.Statistics.StandardDeviation(scores))}", "(sd over seeds)"]);
            while (cells.Count < columns.Count + 1) cells.Add("");
            table.AddRow([.. cells]);
        }
        console.Write(table);

        writer.WriteLine(Procedure(result));
        if (options.HasLanguageMask && result.Conditions.Any(s => s.Condition.Name == options.Mask.Network))
            writer.WriteLine($"{options.Mask.Network}: {options.Mask.Describe(options.Mask.PoolingOf(options.Mask.Network, Masks.PoolingDefaults.Localize))}; random: {random.Length} set(s) of its size drawn outside it");
        if (grouped)
            writer.WriteLine($"groups of '{options.GroupColumn}', each split and scored alone: " + string.Join("; ", result.Groups.Select(g =>
                $"{g.Name} ({I(g.Rows.Length)} items, {I(g.Responses.Values.ColumnCount)} response columns{(g.Ceiling is { } c ? $", ceiling {c.ToString("R", CultureInfo.InvariantCulture)}" : "")})")) +
                "; mean = mean over groups");
        if (normalised)
            writer.WriteLine("normalised = score / ceiling clipped to [0, 1] per group, then averaged (Brain-Score's ceiling_normalize)");
        if (result.Comparison is { } cmp)
        {
            string network = options.Mask.Network;
            writer.WriteLine($"{network} − random{(grouped ? " (mean over groups)" : "")}: {S(cmp.Difference)}" + (cmp.IntervalLow is { } low && cmp.IntervalHigh is { } high
                ? $" (95 % bootstrap interval over the {cmp.RandomSets} random sets: {S(low)} to {S(high)}; {I(cmp.BootstrapSamples)} resamples, seed {cmp.BootstrapSeed})"
                : " (no interval: one random set)"));
            writer.WriteLine($"random sets scoring at least the {network} units: {cmp.AtLeastAsGood} of {cmp.RandomSets} " +
                $"(empirical p = (k + 1) / (N + 1) = {cmp.P.ToString("0.###", CultureInfo.InvariantCulture)}; {cmp.RandomSets} sets cannot give less than {cmp.SmallestP.ToString("0.###", CultureInfo.InvariantCulture)})");
        }
    }

    /// <summary>One line saying how the scores were computed.</summary>
    static string Procedure(AlignResult result)
    {
        var o = result.Options;
        string fit = o.Method == RegressionMethod.Ridge ? "ridge regression (alpha by leave-one-out)"
            : $"linear regression (least squares, singular values ≤ {BrainScoreProcedure.LeastSquaresCutoff(o).ToString("0.##e-0", CultureInfo.InvariantCulture)} × the largest dropped)";
        string split = o.CrossValidation == CrossValidationScheme.KFold
            ? $"{o.Folds} folds (K-fold, split seed {o.SplitSeed})"
            : $"{o.Folds} shuffle splits (train size {o.TrainSize!.Value.ToString("R", CultureInfo.InvariantCulture)}, split seed {o.SplitSeed})";
        string words = AlignRun.SplitWord(o);
        string columns = result.Groups.Count == 1 ? $", {I(result.Groups[0].Responses.Values.ColumnCount)} response columns" : "";
        return (o.BrainScore ? $"Brain-Score's Pereira2018 linear metric (brain-score/language {BrainScoreProcedure.Commit}): " : "") +
            $"{fit}, {split}, {I(result.Items)} items{columns}; score = mean over {words} of the median Pearson r over columns; " +
            $"s.e. (Brain-Score) = std over {words} (ddof 0) / √{o.Folds}";
    }

    static string F(double value) => double.IsNaN(value) ? "NaN" : value.ToString("F4", CultureInfo.InvariantCulture);
    static string S(double value) => (value >= 0 ? "+" : "") + F(value);
    static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    public sealed record SplitRecord(int[] Train, int[] Test);

    public sealed record GroupRecord(string Name, int Items, double? Ceiling, int[] ResponseColumns, IReadOnlyList<string> ResponseColumnNames,
        int DroppedResponseColumns, IReadOnlyList<SplitRecord> Splits);

    public sealed record FoldRecord(int Fold, double? Alpha, double Median, int NanColumns, double[] R);

    public sealed record GroupScoreRecord(string Group, double Score, double FoldSd, double BrainscoreError, double? NormalisedScore, int NanR,
        IReadOnlyList<FoldRecord> Folds);

    public sealed record ConditionRecord(string Condition, int? Seed, int? Layer, int Units, double Score, double? NormalisedScore, int NanR,
        IReadOnlyList<GroupScoreRecord> Groups);

    public sealed record ComparisonRecord(double Language, double[] Random, double RandomMean, double Difference, double? IntervalLow,
        double? IntervalHigh, int BootstrapSamples, int BootstrapSeed, int RandomSets, int AtLeastAsGood, double P);

    public sealed record Document(int FormatVersion, string Activations, string Responses, int[] ActivationShape, string Method, string Cv,
        int Folds, double? TrainSize, int SplitSeed, bool Brainscore, double? LeastSquaresCutoff, double[]? Alphas, int Items,
        string? GroupColumn, IReadOnlyList<GroupRecord> Groups, IReadOnlyList<ConditionRecord> Conditions, ComparisonRecord? Comparison);

    public static Document ToDocument(AlignResult result)
    {
        var o = result.Options;
        return new Document(FormatVersion, o.ActivationsFile, o.ResponsesFile, result.ActivationShape, o.Method.ToString().ToLowerInvariant(),
            CrossValidationSplits.Name(o.CrossValidation), o.Folds, o.TrainSize, o.SplitSeed, o.BrainScore,
            o.Method == RegressionMethod.Linear ? BrainScoreProcedure.LeastSquaresCutoff(o) : null,
            o.Method == RegressionMethod.Ridge ? LinearPredictivity.DefaultAlphas : null, result.Items, o.GroupColumn,
            result.Groups.Select(g => new GroupRecord(g.Name, g.Rows.Length, g.Ceiling, g.Responses.Kept, g.Responses.Names, g.Responses.Dropped,
                g.Splits.Select(s => new SplitRecord(s.Train.Select(i => g.Rows[i]).ToArray(), s.Test.Select(i => g.Rows[i]).ToArray())).ToList())).ToList(),
            result.Conditions.Select(s => new ConditionRecord(s.Condition.Name, s.Condition.Seed, s.Condition.Layer, s.Condition.Columns.Length,
                s.Score, s.Normalised, s.NanR, s.Groups.Select(g => new GroupScoreRecord(g.Group, g.Score.Score, g.Score.FoldSd, g.Score.BrainScoreError,
                    g.Normalised, g.Score.Folds.Sum(f => f.NanColumns),
                    g.Score.Folds.Select(f => new FoldRecord(f.Fold, f.Alpha, f.Median, f.NanColumns, f.R)).ToList())).ToList())).ToList(),
            result.Comparison is { } c ? new ComparisonRecord(c.Language, c.Random, c.Random.Average(), c.Difference, c.IntervalLow, c.IntervalHigh,
                c.BootstrapSamples, c.BootstrapSeed, c.RandomSets, c.AtLeastAsGood, c.P) : null);
    }

    public static void WriteJson(AlignResult result, Stream stream) => JsonSerializer.Serialize(stream, ToDocument(result), JsonOutput.Options);

    /// <summary>One Parquet row per condition × group × fold (or split) × response column.</summary>
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
        public string group { get; set; } = "";
#pragma warning restore IDE1006
    }

    public static IReadOnlyList<Row> ToRows(AlignResult result) =>
        result.Conditions.SelectMany(s => s.Groups.SelectMany(g =>
        {
            var responses = result.Groups.Single(x => x.Name == g.Group).Responses;
            return g.Score.Folds.SelectMany(f => f.R.Select((r, c) => new Row
            {
                condition = s.Condition.Name, seed = s.Condition.Seed, layer = s.Condition.Layer, units = s.Condition.Columns.Length,
                fold = f.Fold, alpha = f.Alpha, column = responses.Kept[c], column_name = responses.Names[c],
                r = r, fold_median = f.Median, score = g.Score.Score, group = g.Group,
            }));
        })).ToList();

}
