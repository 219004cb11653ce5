using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmLoc.Evaluation;

/// <summary>
/// The per-item numbers behind the table: JSON (summary per condition and seed, pairs, BLiMP pairs, windows) and a
/// long Parquet table (one row per pair, BLiMP pair or window, <c>kind</c> = "pair" | "blimp" | "window", the
/// other kinds' columns null).
/// </summary>
public static class EvaluationExport
{
    public sealed record SummaryRow(string Condition, string? Network, string? Mask, string? Label, int? Seed, long MaskedUnits, long Tokens, double? Loss, double? Perplexity,
        int Pairs, double? Accuracy, IReadOnlyDictionary<string, double> AccuracyByPhenomenon,
        int BlimpPairs, double? BlimpAccuracy, IReadOnlyDictionary<string, double> BlimpAccuracyByPhenomenon,
        IReadOnlyDictionary<string, double> BlimpAccuracyByParadigm);

    public sealed record Document(string Model, int WindowSize, int[] ContextIds, IReadOnlyList<SummaryRow> Summary,
        IReadOnlyList<PairScore> Pairs, IReadOnlyList<WindowScore> Windows, IReadOnlyList<PairScore> Blimp);

    public static Document ToDocument(EvaluationResult result) => new(
        result.ModelName, result.WindowSize, result.ContextIds,
        result.Conditions.Select(c => new SummaryRow(c.Condition.Name, c.Condition.Network, c.Condition.MaskName, c.Condition.Label,
            c.Condition.Seed, c.Condition.MaskedUnits, c.Tokens, c.Loss,
            c.Perplexity, c.Pairs.Count, c.Accuracy, c.AccuracyByPhenomenon,
            c.Blimp.Count, c.BlimpAccuracy, c.BlimpByPhenomenon, c.BlimpByParadigm)).ToList(),
        result.Conditions.SelectMany(c => c.Pairs).ToList(),
        result.Conditions.SelectMany(c => c.Windows).ToList(),
        result.Conditions.SelectMany(c => c.Blimp).ToList());

    public static void WriteJson(EvaluationResult result, Stream stream) => JsonSerializer.Serialize(stream, ToDocument(result), IO.JsonOutput.Options);

    /// <summary>One Parquet row; property names are the column names (snake_case, as in the JSON).</summary>
    public sealed class ItemRow
    {
#pragma warning disable IDE1006 // column names match the JSON keys
        public string kind { get; set; } = "";
        public string condition { get; set; } = "";
        public string? network { get; set; }
        public string? mask { get; set; }
        public int? seed { get; set; }
        public int? pair { get; set; }
        public int? window { get; set; }
        public string? paradigm { get; set; }
        public string? phenomenon { get; set; }
        public double? logp_good { get; set; }
        public double? logp_bad { get; set; }
        public bool? correct { get; set; }
        public int? document { get; set; }
        public int? tokens { get; set; }
        public double? loss { get; set; }
#pragma warning restore IDE1006
    }

    public static IReadOnlyList<ItemRow> ToItemRows(EvaluationResult result)
    {
        static ItemRow Pair(string kind, LesionCondition c, PairScore p) => new()
        {
            kind = kind, condition = p.Condition, network = c.Network, mask = c.MaskName, seed = p.Seed, pair = p.Pair,
            paradigm = p.Paradigm, phenomenon = p.Phenomenon, logp_good = p.LogpGood, logp_bad = p.LogpBad, correct = p.Correct,
        };
        return result.Conditions.SelectMany(c =>
            c.Pairs.Select(p => Pair("pair", c.Condition, p))
                .Concat(c.Blimp.Select(p => Pair("blimp", c.Condition, p)))
                .Concat(c.Windows.Select(w => new ItemRow
                {
                    kind = "window", condition = w.Condition, network = c.Condition.Network, mask = c.Condition.MaskName, seed = w.Seed,
                    window = w.Window, document = w.Document, tokens = w.Tokens, loss = w.Loss,
                }))).ToList();
    }
}
