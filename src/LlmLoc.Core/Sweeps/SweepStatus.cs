using LlmLoc.Localization;
using LlmLoc.Masks;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using LlmLoc.IO;
using Parquet.Serialization;

namespace LlmLoc.Sweeps;

public enum CellState { Done, Failed, Invalid, Missing }

/// <param name="Problem">For an invalid cell: why its cached mask cannot be reused.</param>
public sealed record CellStatus(SweepCell Cell, CellState State, long? Units, ErrorRecord? Error, string? Problem = null)
{
    /// <summary>A done cell's cache entry (a custom localizer's network resolved) and mask file.</summary>
    public MaskCacheKey? Key { get; init; }
    public string? MaskPath { get; init; }
}

/// <summary>One finished cell: a row of the sweep summary (CSV and Parquet, same columns, for pandas and <c>llmloc plot</c>);
/// <c>model</c> is the model id of the mask's file name (a hub id's or folder's basename).</summary>
public sealed class SweepSummaryRow
{
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("network")] public string Network { get; set; } = "";
    [JsonPropertyName("pooling")] public string Pooling { get; set; } = "";
    [JsonPropertyName("range")] public string Range { get; set; } = "";
    [JsonPropertyName("percentage")] public double? Percentage { get; set; }
    [JsonPropertyName("num_units")] public long? NumUnits { get; set; }
    [JsonPropertyName("pretrained")] public bool Pretrained { get; set; }
    [JsonPropertyName("seed")] public int Seed { get; set; }
    [JsonPropertyName("units")] public long Units { get; set; }
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    /// <summary>resid or mlp (llmloc's; last, so the original's columns keep their places).</summary>
    [JsonPropertyName("site")] public string Site { get; set; } = "resid";
}

/// <summary><c>llmloc sweep status</c> per cell: done (a cached mask localize would reuse), failed (an error record from
/// its last run), invalid (a cached mask that is damaged or does not fit the cell; a run recomputes it) or missing (not
/// run yet, still running, or killed); and the summary table of the done ones.</summary>
public static class SweepStatus
{
    public const string CsvHeader = "model,network,pooling,range,percentage,num_units,pretrained,seed,units,path,site";

    public static IReadOnlyList<CellStatus> Collect(SweepPlan plan) => plan.Cells.Select(cell =>
    {
        // Once per cell: a custom localizer's cache network needs the model's tokenizer.
        var options = cell.ResolvedOptions();
        var key = options.CacheKey;
        string maskPath = options.Mask.Cache.MaskPath(key);
        if (CachedMaskCheck.Problem(options) is not { } problem)
            return new CellStatus(cell, CellState.Done, UnitMask.Load(maskPath).Count, null) { Key = key, MaskPath = maskPath };
        if (ErrorRecord.Read(plan.ErrorRecordPath(cell.Index)) is { } error)
            return new CellStatus(cell, CellState.Failed, null, error);
        return File.Exists(maskPath)
            ? new CellStatus(cell, CellState.Invalid, null, null, problem)
            : new CellStatus(cell, CellState.Missing, null, null);
    }).ToList();

    public static IReadOnlyList<SweepSummaryRow> SummaryRows(IEnumerable<CellStatus> statuses) => statuses
        .Where(s => s.State == CellState.Done)
        .Select(s => new SweepSummaryRow
        {
            Model = MaskCacheKey.ModelIdOf(s.Cell.Model), Network = s.Key!.Network, Pooling = s.Cell.Pooling, Range = s.Cell.Range,
            Percentage = s.Cell.Percentage, NumUnits = s.Cell.NumUnits, Pretrained = !s.Cell.Untrained,
            Seed = s.Cell.Seed, Units = s.Units!.Value, Path = s.MaskPath!, Site = s.Cell.Site,
        }).ToList();

    /// <summary>Writes the summary as CSV (empty field = not given; pretrained as Python's True/False, as in the mask
    /// names) and as Parquet (nullable percentage/num_units, boolean pretrained): both, or neither.</summary>
    public static void WriteSummary(SweepPlan plan, IReadOnlyList<SweepSummaryRow> rows)
    {
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (var r in rows)
        {
            string[] fields =
            [
                r.Model, r.Network, r.Pooling, r.Range,
                r.Percentage is { } p ? p.ToString("R", CultureInfo.InvariantCulture) : "",
                r.NumUnits?.ToString(CultureInfo.InvariantCulture) ?? "",
                PythonFormat.Bool(r.Pretrained), r.Seed.ToString(CultureInfo.InvariantCulture),
                r.Units.ToString(CultureInfo.InvariantCulture), r.Path, r.Site,
            ];
            csv.AppendJoin(',', fields.Select(CsvText.Field)).Append('\n');
        }
        using var outputs = new OutputSet();
        outputs.Add(plan.SummaryCsvPath, Encoding.UTF8.GetBytes(csv.ToString()));
        outputs.Add(plan.SummaryParquetPath, stream => ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult());
        outputs.Commit();
    }

    /// <summary>The status table: one line per cell, then the counts.</summary>
    public static void Print(IReadOnlyList<CellStatus> statuses, TextWriter stdout)
    {
        foreach (var s in statuses)
        {
            string detail = s.State switch
            {
                CellState.Done => $"{s.Units} units",
                CellState.Failed => $"exit {s.Error!.ExitCode}: {s.Error.Message}",
                CellState.Invalid => $"cached mask not reusable ({ErrorText.OneLine(s.Problem!)}); a run recomputes it",
                _ => "",
            };
            stdout.WriteLine($"{s.Cell.Index,5}  {s.State.ToString().ToLowerInvariant(),-7}  {s.Cell.Label}  {detail}".TrimEnd());
        }
        stdout.WriteLine($"sweep: {statuses.Count} cells: {Count(statuses, CellState.Done)} done, {Count(statuses, CellState.Failed)} failed, " +
                         $"{Count(statuses, CellState.Invalid)} invalid, {Count(statuses, CellState.Missing)} missing");
    }

    static int Count(IEnumerable<CellStatus> statuses, CellState state) => statuses.Count(s => s.State == state);
}
