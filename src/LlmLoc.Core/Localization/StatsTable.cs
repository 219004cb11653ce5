using System.Text.Json.Serialization;
using LlmLoc.IO;
using LlmLoc.Statistics;
using Parquet.Serialization;

namespace LlmLoc.Localization;

/// <summary>One unit's statistics: a row of the <c>--stats-out</c> table.</summary>
public sealed class UnitStatsRow
{
    [JsonPropertyName("layer")] public int Layer { get; set; }
    [JsonPropertyName("unit")] public int Unit { get; set; }
    [JsonPropertyName("t")] public double T { get; set; }
    [JsonPropertyName("p")] public double P { get; set; }
    [JsonPropertyName("p_fdr")] public double PFdr { get; set; }
    [JsonPropertyName("selected")] public bool Selected { get; set; }
}

/// <summary><c>--stats-out</c>: one row per unit — layer, unit, t, p, p_fdr, selected — as Parquet or CSV, for analyses in pandas/R.</summary>
public static class StatsTable
{
    /// <summary>Stages the table in <paramref name="outputs"/> (written with the run's other files, or not at all).</summary>
    public static void Add(OutputSet outputs, string path, LocalizerStatistics stats, long[] mask)
    {
        var rows = Enumerable.Range(0, stats.Layers * stats.HiddenSize).Select(i => new UnitStatsRow
        {
            Layer = i / stats.HiddenSize,
            Unit = i % stats.HiddenSize,
            T = stats.T[i],
            P = stats.P[i],
            PFdr = stats.PAdjusted[i],
            Selected = mask[i] != 0,
        });
        TableFile.Add(outputs, path, rows);
    }

    public static async Task<IList<UnitStatsRow>> ReadAsync(string path) =>
        (await ParquetSerializer.DeserializeAsync<UnitStatsRow>(path)).Data;
}
