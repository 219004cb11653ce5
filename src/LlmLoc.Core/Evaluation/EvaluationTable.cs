using LlmLoc.Masks;
using LlmLoc.Statistics;
using System.Globalization;
using Spectre.Console;

namespace LlmLoc.Evaluation;

/// <summary>Writes the summary, the per-phenomenon (and BLiMP per-paradigm) accuracy and the language-vs-random
/// comparisons as plain text: every accuracy ± its standard error, perplexity and differences with 95 % intervals.</summary>
public static class EvaluationTable
{
    public static void Write(EvaluationResult result, UncertaintyReport uncertainty, TextWriter writer)
    {
        var console = Reporting.PlainConsole.For(writer);
        var rows = ConditionSummary.Summarize(result);
        var estimates = uncertainty.Conditions.ToDictionary(c => c.Condition);
        var none = rows.FirstOrDefault(r => r.Condition == Networks.None);
        bool text = rows.Any(r => r.Loss is not null), pairs = uncertainty.Conditions.Any(c => c.Accuracy is not null);

        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("condition");
        table.AddColumn(new TableColumn("masks").RightAligned());
        table.AddColumn(new TableColumn("units").RightAligned());
        if (text)
            foreach (var c in new[] { "loss (nats)", "Δ loss", "perplexity", "95 % CI", "Δ perplexity" })
                table.AddColumn(new TableColumn(c).RightAligned());
        if (pairs)
            foreach (var c in new[] { "accuracy ± se", "Δ accuracy" })
                table.AddColumn(new TableColumn(c).RightAligned());

        foreach (var row in rows)
        {
            var estimate = estimates[row.Condition];
            var cells = new List<string> { row.Condition, row.Masks.ToString(CultureInfo.InvariantCulture), row.MaskedUnits.ToString(CultureInfo.InvariantCulture) };
            if (text)
            {
                cells.Add(Number(row.Loss?.Mean, "F4"));
                cells.Add(Delta(row.Loss?.Mean, none?.Loss?.Mean, "F4"));
                cells.Add(Number(estimate.Perplexity?.Value, "F2"));
                cells.Add(estimate.Perplexity is { } p ? Range(p.Ci95, "F2") : "–");
                cells.Add(Delta(row.Perplexity?.Mean, none?.Perplexity?.Mean, "F2"));
            }
            if (pairs)
            {
                cells.Add(WithStderr(estimate.Accuracy?.Overall));
                cells.Add(Delta(estimate.Accuracy?.Overall.Value, none is null ? null : estimates[none.Condition].Accuracy?.Overall.Value, "P1"));
            }
            table.AddRow(cells.Select(c => new Text(c)).ToArray());
        }
        console.Write(table);
        WriteMasks(result, writer);

        WriteBreakdown(console, uncertainty, "phenomenon (accuracy ± se)", c => c.Accuracy?.ByPhenomenon);

        if (uncertainty.Conditions.Any(c => c.Blimp is not null))
        {
            int paradigms = uncertainty.Conditions.Max(c => c.Blimp?.ByParadigm.Count ?? 0);
            console.WriteLine();
            console.WriteLine($"BLiMP: {paradigms} paradigm(s); accuracy = share of pairs with logp(good) > logp(bad); overall and per phenomenon = mean over paradigms");
            var blimp = new Table().Border(TableBorder.Simple).AddColumn("BLiMP (accuracy ± se)");
            foreach (var c in uncertainty.Conditions) blimp.AddColumn(new TableColumn(c.Condition).RightAligned());
            double? noneOverall = uncertainty.Conditions.FirstOrDefault(c => c.Condition == Networks.None)?.Blimp?.Overall.Value;
            blimp.AddRow([new Text("overall"), .. uncertainty.Conditions.Select(c => new Text(WithStderr(c.Blimp?.Overall)))]);
            blimp.AddRow([new Text("Δ overall"), .. uncertainty.Conditions.Select(c => new Text(Delta(c.Blimp?.Overall.Value, noneOverall, "P1")))]);
            console.Write(blimp);
            WriteBreakdown(console, uncertainty, "BLiMP phenomenon", c => c.Blimp?.ByPhenomenon);
            WriteBreakdown(console, uncertainty, "BLiMP paradigm", c => c.Blimp?.ByParadigm);
        }

        foreach (var comparison in uncertainty.Comparisons)
            WriteComparison(console, comparison);
        console.WriteLine();
        console.WriteLine("± se: standard error over pairs (lm-evaluation-harness's mean_stderr; BLiMP overall and per phenomenon √(Σ se²)/k over paradigms).");
        if (uncertainty.Comparisons.Count > 0)
            console.WriteLine($"95 % CI: percentile bootstrap over the task's items (pairs or windows), {uncertainty.BootstrapSamples} resamples, seed {uncertainty.BootstrapSeed}.");
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
    static void WriteBreakdown(IAnsiConsole console, UncertaintyReport uncertainty, string title,
        Func<ConditionEstimates, IReadOnlyDictionary<string, ScoreEstimate>?> values)
    {
        var keys = uncertainty.Conditions.SelectMany(c => values(c)?.Keys ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        if (keys.Count == 0) return;
        var table = new Table().Border(TableBorder.Simple).AddColumn(title);
        foreach (var c in uncertainty.Conditions) table.AddColumn(new TableColumn(c.Condition).RightAligned());
        foreach (string key in keys)
            table.AddRow([new Text(key), .. uncertainty.Conditions.Select(c => new Text(WithStderr(values(c)?.GetValueOrDefault(key))))]);
        console.Write(table);
    }

    /// <summary>The network-vs-random lines of one task.</summary>
    static void WriteComparison(IAnsiConsole console, LesionComparison comparison)
    {
        string format = comparison.Metric == "perplexity" ? "F2" : "P1";
        string unit = comparison.Task == "text" ? "windows" : "pairs";
        string network = comparison.Network ?? Networks.Random;
        string title = comparison.RandomMinusNone is null ? $"{network} lesion" : comparison.Network is null ? "Random lesions" : $"{Capitalized(network)} vs random lesions";
        console.WriteLine();
        console.WriteLine($"{title}, {comparison.Task}: {comparison.Metric} on the same {comparison.Items} {unit}; harm = {comparison.Harm}");
        int width = $"{network} − random".Length + 2;
        void Line(string label, BootstrapEstimate? d, string note = "")
        {
            if (d is null) return;
            console.WriteLine($"  {label.PadRight(width)}{Signed(d.Value, format),10}   95 % CI [{Signed(d.Ci95.Low, format)}, {Signed(d.Ci95.High, format)}]{note}");
        }
        var perMask = comparison.RandomMasksMinusNone;
        string spread = perMask.Count > 1
            ? $"   mean of {perMask.Count} random masks (sd {MathNet.Numerics.Statistics.Statistics.StandardDeviation(perMask).ToString(format, CultureInfo.InvariantCulture)})"
            : "";
        Line($"{network} − none", comparison.NetworkMinusNone);
        Line("random − none", comparison.RandomMinusNone, spread);
        Line($"{network} − random", comparison.NetworkMinusRandom);
        if (comparison.RandomAtLeastAsHarmful is { } rank)
            console.WriteLine($"  random lesions at least as harmful as the {network} lesion: {rank.K} of {rank.N} " +
                $"(empirical p = (k + 1)/(N + 1) = {rank.P.ToString("F3", CultureInfo.InvariantCulture)} ≥ 1/(N + 1) = {rank.SmallestP.ToString("F3", CultureInfo.InvariantCulture)})");
    }

    static string Capitalized(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    static string WithStderr(ScoreEstimate? value) => value is null ? "–"
        : value.Stderr is { } se ? $"{value.Value.ToString("P1", CultureInfo.InvariantCulture)} ± {se.ToString("P1", CultureInfo.InvariantCulture)}"
        : value.Value.ToString("P1", CultureInfo.InvariantCulture);

    static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    static string Range(Interval interval, string format) =>
        $"[{interval.Low.ToString(format, CultureInfo.InvariantCulture)}, {interval.High.ToString(format, CultureInfo.InvariantCulture)}]";

    static string Signed(double value, string format) => (value >= 0 ? "+" : "") + value.ToString(format, CultureInfo.InvariantCulture);

    static string Delta(double? value, double? reference, string format) =>
        value is { } v && reference is { } r ? Signed(v - r, format) : "–";
}
