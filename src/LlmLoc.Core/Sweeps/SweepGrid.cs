using LlmLoc.Stimuli;
using LlmLoc.Masks;
using Tomlyn;
using Tomlyn.Model;

namespace LlmLoc.Sweeps;

/// <summary>
/// A sweep's grid, as a researcher writes it by hand in TOML (docs/sweep.md): lists of models, networks, poolings,
/// percentages / unit counts, ranges, seeds and untrained yes/no, plus the settings every cell shares. TOML because
/// it has comments, typed lists and no indentation rules (YAML's "no" is a boolean, JSON has no comments).
/// </summary>
public sealed record SweepGrid
{
    /// <summary>The grid file, for error messages.</summary>
    public required string Source { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    public IReadOnlyList<string> Networks { get; init; } = [Masks.Networks.Language];
    /// <summary>Empty: each network's usual pooling (last-token for language, mean otherwise, as scripts/sweep.sh and plot.py).</summary>
    public IReadOnlyList<Pooling> Poolings { get; init; } = [];
    public IReadOnlyList<double> Percentages { get; init; } = [];
    public IReadOnlyList<long> NumUnits { get; init; } = [];
    public IReadOnlyList<LocalizeRange> Ranges { get; init; } = [LocalizeRange.Top];
    public IReadOnlyList<int> Seeds { get; init; } = [Defaults.Seed];
    public IReadOnlyList<bool> Untrained { get; init; } = [false];
    public string? Device { get; init; }
    public required string StimuliDir { get; init; }
    public required string CacheDir { get; init; }
    public int BatchSize { get; init; } = 64;
    public bool Offline { get; init; }
    /// <summary>localize's --weights for every cell (auto, in-memory, streamed).</summary>
    public string Weights { get; init; } = "auto";
    /// <summary>localize's --dtype for every cell (null: float32 on the CPU).</summary>
    public string? DType { get; init; }
    /// <summary>Definition files (absolute) of custom localizers swept besides <see cref="Networks"/> (<c>localizers</c>).</summary>
    public IReadOnlyList<string> Localizers { get; init; } = [];
    /// <summary>Unit sites (<c>sites</c>): each cell localizes one.</summary>
    public IReadOnlyList<LlmLoc.Models.UnitSite> Sites { get; init; } = [LlmLoc.Models.UnitSite.Residual];

    static readonly string[] Keys =
    [
        "models", "networks", "poolings", "percentages", "num_units", "ranges", "seeds", "untrained",
        "device", "stimuli_dir", "cache_dir", "batch_size", "offline", "weights", "dtype", "localizers", "sites",
    ];

    public static SweepGrid Load(string path)
    {
        if (!File.Exists(path))
            throw new LlmLocException($"grid file '{path}' not found: give the path of a sweep grid (.toml, see docs/sweep.md)", ExitCodes.InputError);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates a grid; relative folders in it are taken from the grid file's folder, so a plan
    /// runs the same from any working directory (a cluster job's included).</summary>
    public static SweepGrid Parse(string toml, string path)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(toml) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            string first = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "syntax error";
            throw new LlmLocException($"grid '{path}' is not valid TOML: {first}", ExitCodes.InputError);
        }
        var reader = new KeyReader(table, path);
        foreach (var key in table.Keys)
            if (!Keys.Contains(key))
                throw reader.Error(key, $"is not a grid key: use {string.Join(", ", Keys)}");

        string gridDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Folder(string key, string fallback) =>
            reader.String(key) is { } given ? Path.GetFullPath(given, gridDir) : Path.GetFullPath(fallback);

        var models = reader.List<string>("models", "string") ?? throw reader.Error("models", "is required: e.g. models = [\"gpt2\"]");
        var networks = reader.List<string>("networks", "string");
        var localizers = NonEmpty(reader, "localizers", reader.List<string>("localizers", "string"));
        var percentages = reader.List<double>("percentages", "number");
        var numUnits = reader.List<long>("num_units", "integer");
        if (percentages is null && numUnits is null)
            throw reader.Error("percentages", "or num_units is required: e.g. percentages = [1]");

        var grid = new SweepGrid
        {
            Source = path,
            Models = NonEmpty(reader, "models", models.Select(m => ModelName(m, gridDir)).ToList())!,
            // Without networks, a grid of localizers sweeps only those.
            Networks = networks is null ? (localizers is null ? [Masks.Networks.Language] : [])
                : NonEmpty(reader, "networks", Checked(reader, "networks", networks, Masks.Networks.ValidateLocalized))!,
            Localizers = Checked(reader, "localizers", localizers, l => SweepLocalizers.Check(l, gridDir)) ?? [],
            Sites = NonEmpty(reader, "sites", Checked(reader, "sites", reader.List<string>("sites", "string"), LlmLoc.Models.UnitSiteNames.Parse)?.Distinct().ToList()) ?? [LlmLoc.Models.UnitSite.Residual],
            Poolings = NonEmpty(reader, "poolings", Checked(reader, "poolings", reader.List<string>("poolings", "string"), PoolingNames.Parse)) ?? [],
            Percentages = Checked(reader, "percentages", percentages, FlagChecks.Percentage) ?? [],
            NumUnits = Checked(reader, "num_units", numUnits, n => n > 0 ? n : throw new LlmLocException($"{n} is not a positive number of units", ExitCodes.Usage)) ?? [],
            Ranges = NonEmpty(reader, "ranges", Checked(reader, "ranges", reader.List<string>("ranges", "string"), LocalizeRange.Parse)) ?? [LocalizeRange.Top],
            Seeds = NonEmpty(reader, "seeds", reader.List<long>("seeds", "integer")?.Select(s => s is >= 0 and <= int.MaxValue ? (int)s : throw reader.Error("seeds", $"value {s} is out of range: give seeds in 0..{int.MaxValue}")).ToList()) ?? [Defaults.Seed],
            Untrained = NonEmpty(reader, "untrained", reader.List<bool>("untrained", "boolean")?.Distinct().ToList()) ?? [false],
            Device = reader.String("device"),
            StimuliDir = Folder("stimuli_dir", StimuliLocation.Default()),
            CacheDir = Folder("cache_dir", new MaskCache(null).Folder),
            BatchSize = reader.Integer("batch_size") is { } b ? (b >= 1 && b <= int.MaxValue ? (int)b : throw reader.Error("batch_size", $"{b} is out of range: give 1 or more")) : 64,
            Offline = reader.Bool("offline") ?? false,
            Weights = Checked<string, string>(reader, "weights", reader.String("weights") is { } w ? [w] : null, w => { LlmLoc.Models.WeightsModeNames.Parse(w); return w; })?[0] ?? "auto",
            DType = Checked<string, string>(reader, "dtype", reader.String("dtype") is { } d ? [d] : null, d => { LlmLoc.Models.ComputeDTypes.Parse(d); return d; })?[0],
        };
        if (grid.Percentages.Count + grid.NumUnits.Count == 0)
            throw reader.Error("percentages", "and num_units are both empty: give at least one size, e.g. percentages = [1]");
        return grid;
    }

    /// <summary>A model given as a folder relative to the grid becomes absolute; a hub id stays as written.</summary>
    static string ModelName(string name, string gridDir) =>
        !Path.IsPathRooted(name) && Directory.Exists(Path.Combine(gridDir, name)) ? Path.GetFullPath(name, gridDir) : name;

    static List<T>? NonEmpty<T>(KeyReader reader, string key, List<T>? values) =>
        values is { Count: 0 } ? throw reader.Error(key, "is empty: list at least one value (or leave the key out for its default)") : values;

    static List<TOut>? Checked<TIn, TOut>(KeyReader reader, string key, List<TIn>? values, Func<TIn, TOut> check)
    {
        if (values is null) return null;
        var result = new List<TOut>();
        foreach (var value in values)
        {
            try { result.Add(check(value)); }
            catch (LlmLocException e) { throw reader.Error(key, $"has a bad value {Quote(value)}: {e.Message}"); }
        }
        return result;
    }

    static string Quote(object? value) => value is string s ? $"\"{s}\"" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>Typed access to the table's keys; a single value is accepted where a list is expected.</summary>
    sealed class KeyReader(TomlTable table, string path)
    {
        public LlmLocException Error(string key, string problem) =>
            new($"grid '{path}': key '{key}' {problem}", ExitCodes.Usage);

        public List<T>? List<T>(string key, string typeName)
        {
            if (!table.TryGetValue(key, out var raw)) return null;
            var items = raw is TomlArray array ? array.ToList() : [raw];
            return items.Select(item => As<T>(key, item, $"a {typeName} or a list of {typeName}s")).ToList();
        }

        public string? String(string key) => Scalar<string>(key, "a string");
        public long? Integer(string key) => table.ContainsKey(key) ? Scalar<long>(key, "an integer") : null;
        public bool? Bool(string key) => table.ContainsKey(key) ? Scalar<bool>(key, "true or false") : null;

        T? Scalar<T>(string key, string typeName) =>
            table.TryGetValue(key, out var raw) ? As<T>(key, raw, typeName) : default;

        T As<T>(string key, object? value, string expected) => value switch
        {
            T typed => typed,
            long integer when typeof(T) == typeof(double) => (T)(object)(double)integer,
            _ => throw Error(key, $"must be {expected}, not {Describe(value)}"),
        };

        static string Describe(object? value) => value switch
        {
            string s => $"the string \"{s}\"",
            long l => $"the integer {l}",
            double d => $"the number {d.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            bool b => b ? "true" : "false",
            TomlArray => "a list",
            TomlTable => "a table",
            _ => $"a {value?.GetType().Name ?? "null"}",
        };
    }
}
