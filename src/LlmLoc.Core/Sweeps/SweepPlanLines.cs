using System.Text.Json;
using System.Text.Json.Nodes;
using LlmLoc.IO;

namespace LlmLoc.Sweeps;

/// <summary>
/// A plan is read from a folder llmloc does not own, so each line is checked field by field (JSON types, nulls,
/// ranges) before it becomes a cell, and the plan's size and a grid's cell count are bounded: one line then names the
/// line and the field, instead of an internal error deep in a run or a plan too big to hold.
/// </summary>
public static class SweepPlanLines
{
    /// <summary>More cells than any Slurm array takes (MaxArraySize is at most 4,000,001; 1001 by default).</summary>
    public const long MaxCells = 100_000;
    /// <summary>A plan of <see cref="MaxCells"/> cells with long paths fits easily.</summary>
    public const long MaxBytes = 256L << 20;

    enum Kind { Integer, Count, Number, String, Bool }

    static readonly (string Name, Kind Kind, bool Nullable)[] Fields =
    [
        ("cell", Kind.Integer, false), ("model", Kind.String, false), ("network", Kind.String, false),
        ("pooling", Kind.String, false), ("range", Kind.String, false), ("percentage", Kind.Number, true),
        ("num_units", Kind.Count, true), ("seed", Kind.Integer, false), ("untrained", Kind.Bool, false),
        ("device", Kind.String, true), ("stimuli_dir", Kind.String, false), ("cache_dir", Kind.String, false),
        ("batch_size", Kind.Integer, false), ("offline", Kind.Bool, false), ("weights", Kind.String, false), ("dtype", Kind.String, true),
        ("localizer", Kind.String, true), ("site", Kind.String, false),
    ];

    /// <summary>Fields a plan written before they existed may lack (the cell's default applies).</summary>
    static readonly HashSet<string> Optional = ["weights", "dtype", "localizer", "site"];

    /// <summary>Why <paramref name="line"/> is not cell <paramref name="expectedIndex"/>; null when it is one.</summary>
    public static string? Problem(string line, int expectedIndex)
    {
        JsonObject json;
        try
        {
            if (JsonNode.Parse(line) is not JsonObject parsed) return "not a JSON object";
            json = parsed;
            JsonStrings.Check(json);
        }
        catch (JsonException e) { return $"not valid JSON: {ErrorText.FirstLine(e.Message)}"; }
        foreach (var (name, kind, nullable) in Fields)
        {
            var node = json[name];
            if (node is null)
            {
                if (json.ContainsKey(name) ? !nullable : !Optional.Contains(name) && !nullable)
                    return json.ContainsKey(name) ? $"'{name}' is null" : $"'{name}' is missing";
                continue;
            }
            if (!HasKind(node, kind))
                return $"'{name}' is {node.ToJsonString()}, expected {Describe(kind)}";
        }
        int index = json["cell"]!.GetValue<int>();
        if (index != expectedIndex) return $"'cell' is {index}, expected {expectedIndex}";
        foreach (var name in new[] { "model", "network", "pooling", "range", "stimuli_dir", "cache_dir", "device", "localizer", "site" })
            if (json[name]?.GetValue<string>() is "")
                return $"'{name}' is empty";
        foreach (var name in new[] { "stimuli_dir", "cache_dir", "localizer" })
            if (json[name]?.GetValue<string>() is { } path && !Path.IsPathRooted(path))
                return $"'{name}' is not an absolute path";
        if (json["percentage"] is null && json["num_units"] is null) return "'percentage' and 'num_units' are both null";
        var cell = json.Deserialize<SweepCell>()!;
        try { cell.ToLocalizeOptions().Validate(); }
        catch (LlmLocException e) { return e.Message; }
        return null;
    }

    static bool HasKind(JsonNode node, Kind kind) => node is JsonValue value && kind switch
    {
        Kind.Integer => value.TryGetValue(out long i) && i is >= 0 and <= int.MaxValue,
        Kind.Count => value.TryGetValue(out long n) && n > 0,
        Kind.Number => value.TryGetValue(out double d) && double.IsFinite(d),
        Kind.String => value.GetValueKind() == JsonValueKind.String,
        Kind.Bool => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        _ => false,
    };

    static string Describe(Kind kind) => kind switch
    {
        Kind.Integer => "a whole number from 0 to 2147483647",
        Kind.Count => "a positive whole number",
        Kind.Number => "a finite number",
        Kind.String => "a string",
        _ => "true or false",
    };

    /// <summary>Refuses a grid whose cells would not fit a plan, before any cell is built.</summary>
    public static void CheckGridSize(SweepGrid grid)
    {
        var factors = new long[]
        {
            grid.Models.Count, grid.Untrained.Count, grid.Networks.Count + grid.Localizers.Count, Math.Max(1, grid.Poolings.Count), grid.Sites.Count,
            grid.Ranges.Count, grid.Percentages.Count + grid.NumUnits.Count, grid.Seeds.Count,
        };
        double cells = factors.Aggregate(1.0, (product, factor) => product * factor);
        if (cells > MaxCells)
            throw new LlmLocException(
                $"grid '{grid.Source}' has up to {cells:0} cells ({string.Join(" x ", factors)}: models x untrained x networks and localizers x poolings x sites x ranges x sizes x seeds), " +
                $"more than the {MaxCells} a plan takes: split it into several grids, e.g. one per model, each with its own plan", ExitCodes.Usage);
    }
}
