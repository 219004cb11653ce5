using System.Globalization;
using LlmLoc.Lesion;
using Spectre.Console;

namespace LlmLoc.Evaluation;

/// <summary>Writes the summary (and per-phenomenon accuracy) as plain-text Spectre.Console tables.</summary>
public static class EvaluationTable
{
    public static void Write(EvaluationResult result, TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        var rows = ConditionSummary.Summarize(result);
        var none = rows.FirstOrDefault(r => r.Condition == LesionNetworks.None);
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

        var phenomena = rows.SelectMany(r => r.AccuracyByPhenomenon.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (phenomena.Count == 0) return;
        var byPhenomenon = new Table().Border(TableBorder.Simple).AddColumn("phenomenon (accuracy)");
        foreach (var row in rows) byPhenomenon.AddColumn(new TableColumn(row.Condition).RightAligned());
        foreach (string p in phenomena)
            byPhenomenon.AddRow([new Text(p), .. rows.Select(r => new Text(Format(r.AccuracyByPhenomenon.TryGetValue(p, out var a) ? a : null, "P1")))]);
        console.Write(byPhenomenon);
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
