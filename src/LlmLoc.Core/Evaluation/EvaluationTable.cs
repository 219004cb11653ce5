using LlmLoc.Masks;
using System.Globalization;
using Spectre.Console;

namespace LlmLoc.Evaluation;

/// <summary>Writes the summary (and per-phenomenon accuracy) as plain-text Spectre.Console tables.</summary>
public static class EvaluationTable
{
    public static void Write(EvaluationResult result, TextWriter writer)
    {
        var console = Reporting.PlainConsole.For(writer);
        var rows = ConditionSummary.Summarize(result);
        var none = rows.FirstOrDefault(r => r.Condition == Networks.None);
        bool text = rows.Any(r => r.Loss is not null), pairs = rows.Any(r => r.Accuracy is not null);

        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("condition");
        table.AddColumn(new TableColumn("masks").RightAligned());
        table.AddColumn(new TableColumn("units").RightAligned());
        if (text)
            foreach (var c in new[] { "loss (nats)", "Δ loss", "perplexity", "Δ perplexity" })
                table.AddColumn(new TableColumn(c).RightAligned());
        if (pairs)
            foreach (var c in new[] { "accuracy", "Δ accuracy" })
                table.AddColumn(new TableColumn(c).RightAligned());

        foreach (var row in rows)
        {
            var cells = new List<string> { row.Condition, row.Masks.ToString(CultureInfo.InvariantCulture), row.MaskedUnits.ToString(CultureInfo.InvariantCulture) };
            if (text)
            {
                cells.Add(Format(row.Loss, "F4"));
                cells.Add(Delta(row.Loss, none?.Loss, "F4"));
                cells.Add(Format(row.Perplexity, "F2"));
                cells.Add(Delta(row.Perplexity, none?.Perplexity, "F2"));
            }
            if (pairs)
            {
                cells.Add(Format(row.Accuracy, "P1"));
                cells.Add(Delta(row.Accuracy, none?.Accuracy, "P1"));
            }
            table.AddRow(cells.Select(c => new Text(c)).ToArray());
        }
        console.Write(table);
        WriteMasks(result, writer);

        WriteBreakdown(console, rows, "phenomenon (accuracy)", r => r.AccuracyByPhenomenon);

        if (!rows.Any(r => r.BlimpAccuracy is not null)) return;
        int paradigms = rows.Max(r => r.BlimpByParadigm.Count);
        console.WriteLine();
        console.WriteLine($"BLiMP: {paradigms} paradigm(s); accuracy = share of pairs with logp(good) > logp(bad); overall and per phenomenon = mean over paradigms");
        var blimp = new Table().Border(TableBorder.Simple).AddColumn("BLiMP");
        foreach (var row in rows) blimp.AddColumn(new TableColumn(row.Condition).RightAligned());
        blimp.AddRow([new Text("overall"), .. rows.Select(r => new Text(Format(r.BlimpAccuracy, "P1")))]);
        blimp.AddRow([new Text("Δ overall"), .. rows.Select(r => new Text(Delta(r.BlimpAccuracy, none?.BlimpAccuracy, "P1")))]);
        console.Write(blimp);
        WriteBreakdown(console, rows, "BLiMP phenomenon", r => r.BlimpByPhenomenon);
        WriteBreakdown(console, rows, "BLiMP paradigm", r => r.BlimpByParadigm);
    }

    /// <summary>Which mask each lesioned condition ablated: its label (--label, or network and settings) and file.</summary>
    static void WriteMasks(EvaluationResult result, TextWriter writer)
    {
        foreach (var group in result.Conditions.Select(c => c.Condition).Where(c => c.Mask is not null).GroupBy(c => c.Name))
        {
            var first = group.First();
            string what = first.Name == Networks.Random
                ? $"{group.Count()} mask(s) of {first.MaskedUnits} units drawn outside {first.Label}"
                : first.Label ?? first.Network ?? first.Name;
            writer.WriteLine($"{first.Name}: {what}, from {first.MaskName}");
        }
    }

    /// <summary>One row per key, one column per condition.</summary>
    static void WriteBreakdown(IAnsiConsole console, IReadOnlyList<ConditionSummary> rows, string title,
        Func<ConditionSummary, IReadOnlyDictionary<string, MeanSd>> values)
    {
        var keys = rows.SelectMany(r => values(r).Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (keys.Count == 0) return;
        var table = new Table().Border(TableBorder.Simple).AddColumn(title);
        foreach (var row in rows) table.AddColumn(new TableColumn(row.Condition).RightAligned());
        foreach (string key in keys)
            table.AddRow([new Text(key), .. rows.Select(r => new Text(Format(values(r).TryGetValue(key, out var a) ? a : null, "P1")))]);
        console.Write(table);
    }

    static string Format(MeanSd? value, string format) => value is not { } v ? "–"
        : v.Sd is { } sd ? $"{v.Mean.ToString(format, CultureInfo.InvariantCulture)} ± {sd.ToString(format, CultureInfo.InvariantCulture)}"
        : v.Mean.ToString(format, CultureInfo.InvariantCulture);

    static string Delta(MeanSd? value, MeanSd? reference, string format)
    {
        if (value is not { } v || reference is not { } r) return "–";
        double d = v.Mean - r.Mean;
        return (d >= 0 ? "+" : "") + d.ToString(format, CultureInfo.InvariantCulture);
    }
}
