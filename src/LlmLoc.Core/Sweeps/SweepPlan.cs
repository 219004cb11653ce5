using LlmLoc.Masks;
using System.Text.Json;
using System.Text.Json.Serialization;
using LlmLoc.IO;
using LlmLoc.Localization;
using LlmLoc.Models;
using LlmLoc.Sessions;

namespace LlmLoc.Sweeps;

/// <summary>One cell of a sweep: one <c>llmloc localize</c>, with every setting spelled out (a line of the plan).</summary>
public sealed record SweepCell
{
    [JsonPropertyName("cell")] public int Index { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("network")] public required string Network { get; init; }
    [JsonPropertyName("pooling")] public required string Pooling { get; init; }
    [JsonPropertyName("range")] public required string Range { get; init; }
    [JsonPropertyName("percentage")] public double? Percentage { get; init; }
    [JsonPropertyName("num_units")] public long? NumUnits { get; init; }
    [JsonPropertyName("seed")] public int Seed { get; init; }
    [JsonPropertyName("untrained")] public bool Untrained { get; init; }
    [JsonPropertyName("device")] public string? Device { get; init; }
    [JsonPropertyName("stimuli_dir")] public required string StimuliDir { get; init; }
    [JsonPropertyName("cache_dir")] public required string CacheDir { get; init; }
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; }
    [JsonPropertyName("offline")] public bool Offline { get; init; }
    /// <summary>--weights (plans written before it existed hold none: auto).</summary>
    [JsonPropertyName("weights")] public string Weights { get; init; } = "auto";
    /// <summary>--dtype (null: float32 on the CPU).</summary>
    [JsonPropertyName("dtype")] public string? DType { get; init; }
    /// <summary>A custom localizer's definition file (then <see cref="Network"/> is its name), or null for a built-in.</summary>
    [JsonPropertyName("localizer")] public string? Localizer { get; init; }
    /// <summary>--site (plans written before it existed hold none: resid).</summary>
    [JsonPropertyName("site")] public string Site { get; init; } = UnitSite.Residual.ToFlag();

    /// <summary>The options <c>llmloc localize</c> would build from the same flags.</summary>
    public LocalizeOptions ToLocalizeOptions() => new()
    {
        Model = new Sessions.ModelSpec(Model)
        {
            Device = Device, Untrained = Untrained, Seed = Seed, Offline = Offline,
            Weights = Models.WeightsModeNames.Parse(Weights), DType = DType,
        },
        Mask = LocalizerReference.Apply(new MaskSpec
        {
            Pooling = PoolingNames.Parse(Pooling), Range = LocalizeRange.Parse(Range),
            Percentage = Percentage, NumUnits = NumUnits, CacheDir = CacheDir, Site = UnitSiteNames.Parse(Site),
        }, Network, Localizer),
        StimuliDir = StimuliDir,
        BatchSize = BatchSize,
    };

    /// <summary>The options with a custom localizer's cache network resolved (its hash needs the model's tokenizer,
    /// not its weights): once per cell and command.</summary>
    public LocalizeOptions ResolvedOptions()
    {
        var options = ToLocalizeOptions();
        return options with { Mask = LocalizerReference.Resolve(options.Mask, options.Model, StimuliDir) };
    }

    /// <summary>Where localize caches this cell's mask.</summary>
    [JsonIgnore]
    public string MaskPath
    {
        get
        {
            var options = ResolvedOptions();
            return options.Mask.Cache.MaskPath(options.CacheKey);
        }
    }

    /// <summary>Null when the cell is done: localize would reuse its cached mask (the same <see cref="CachedMaskCheck"/>);
    /// else why not (none cached, or a damaged or mismatched one, which a run recomputes).</summary>
    public string? CachedMaskProblem() => CachedMaskCheck.Problem(ResolvedOptions());

    /// <summary>The cell's mask file named by its localizer's name (no tokenizer needed): what two cells must not share.</summary>
    internal string NamedMaskPath
    {
        get
        {
            var options = ToLocalizeOptions();
            return options.Mask.Cache.MaskPath(options.Model.KeyOf(options.Mask with { Localizer = null }, options.Pooling));
        }
    }

    /// <summary>A short human label: "gpt2 language last-token 100-100 1% pretrained".</summary>
    [JsonIgnore]
    public string Label =>
        $"{Model} {Network} {Pooling}{(Site == UnitSite.Residual.ToFlag() ? "" : $" site={Site}")} {Range} {(Percentage is { } p ? $"{PythonFormat.Float(p)}%" : $"{NumUnits} units")} " +
        $"{(Untrained ? "untrained" : "pretrained")} seed={Seed}";
}

/// <summary>
/// A grid expanded into cells, one JSON object per line, line N = cell N = Slurm array task N. The files a sweep
/// writes sit beside the plan: <c>X.errors/</c> (one error record per failed cell), <c>X.logs/</c>, <c>X.sbatch</c>,
/// <c>X.summary.csv</c> and <c>X.summary.parquet</c>, where X is the plan's path without <c>.jsonl</c>.
/// </summary>
public sealed class SweepPlan
{
    public const string Extension = ".jsonl";
    static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public string Path { get; }
    public IReadOnlyList<SweepCell> Cells { get; }

    SweepPlan(string path, IReadOnlyList<SweepCell> cells) { Path = System.IO.Path.GetFullPath(path); Cells = cells; }

    string Stem => Path.EndsWith(Extension, StringComparison.Ordinal) ? Path[..^Extension.Length] : Path;
    public string ErrorsDir => Stem + ".errors";
    public string LogsDir => Stem + ".logs";
    public string SbatchPath => Stem + ".sbatch";
    public string SummaryCsvPath => Stem + ".summary.csv";
    public string SummaryParquetPath => Stem + ".summary.parquet";
    public string ErrorRecordPath(int cell) => System.IO.Path.Combine(ErrorsDir, $"cell-{cell}.json");

    /// <summary>The plan written next to a grid: <c>sweep.toml</c> → <c>sweep.plan.jsonl</c>.</summary>
    public static string DefaultPathFor(string gridPath) =>
        System.IO.Path.ChangeExtension(System.IO.Path.GetFullPath(gridPath), null) + ".plan" + Extension;

    /// <summary>
    /// Every combination, in a stable order: model, then pretrained before untrained, network (the built-ins, then the
    /// custom localizers), pooling, site, range, percentages then unit counts, seed. A seed only multiplies cells it changes (random ranges, theory of mind,
    /// untrained weights); with several seeds those cells cache under <c>cache_dir/seed=N</c>, because the mask's
    /// file name (the original's) has no seed in it.
    /// </summary>
    public static IReadOnlyList<SweepCell> Expand(SweepGrid grid)
    {
        SweepPlanLines.CheckGridSize(grid);
        var sizes = grid.Percentages.Select(p => ((double?)p, (long?)null))
            .Concat(grid.NumUnits.Select(n => ((double?)null, (long?)n))).ToList();
        // Built-in networks, then custom localizers (their name as network, their file as localizer, their own pooling).
        var localizers = grid.Networks.Select(n => (Network: n, File: (string?)null, Usual: PoolingDefaults.PerNetwork(n)))
            .Concat(grid.Localizers.Select(entry => Stimuli.LocalizerDefinition.BuiltIn(entry) is { } builtIn
                ? (builtIn.Name, null, PoolingDefaults.PerNetwork(builtIn.Name))
                : Stimuli.LocalizerFile.Read(entry) is var custom ? (custom.Name, entry, custom.DefaultPooling ?? PoolingDefaults.PerNetwork(custom.Name)) : default))
            .ToList();
        var cells = new List<SweepCell>();
        foreach (var model in grid.Models)
        foreach (var untrained in grid.Untrained.OrderBy(u => u))
        foreach (var (network, localizerFile, usualPooling) in localizers)
        foreach (var pooling in grid.Poolings.Count > 0 ? grid.Poolings.Select(p => p.ToFlag()) : [usualPooling.ToFlag()])
        foreach (var site in grid.Sites)
        foreach (var range in grid.Ranges)
        foreach (var (percentage, numUnits) in sizes)
        {
            bool seedMatters = range.IsRandomRange || network == Networks.TheoryOfMind || untrained;
            foreach (var seed in seedMatters ? grid.Seeds : grid.Seeds.Take(1))
                cells.Add(new SweepCell
                {
                    Index = cells.Count,
                    Model = model, Network = network, Pooling = pooling, Range = range.Text,
                    Percentage = percentage, NumUnits = numUnits, Seed = seed, Untrained = untrained,
                    Device = grid.Device, StimuliDir = grid.StimuliDir,
                    CacheDir = seedMatters && grid.Seeds.Count > 1 ? System.IO.Path.Combine(grid.CacheDir, $"seed={seed}") : grid.CacheDir,
                    BatchSize = grid.BatchSize, Offline = grid.Offline, Weights = grid.Weights, DType = grid.DType,
                    Localizer = localizerFile, Site = site.ToFlag(),
                });
        }
        // Two cells on one mask file would overwrite each other's result (e.g. org1/x and org2/x: the cache names
        // a model by its basename, as the original does; or a value listed twice). Custom localizers count by name
        // here (their hash needs each model's tokenizer), so two definitions with one name are refused too.
        var clash = cells.GroupBy(c => c.NamedMaskPath).FirstOrDefault(g => g.Count() > 1)?.ToList();
        if (clash is not null)
            throw new LlmLocException(
                $"grid '{grid.Source}': cells {clash[0].Index} ({clash[0].Label}) and {clash[1].Index} ({clash[1].Label}) would write the same mask " +
                $"{System.IO.Path.GetFileName(clash[0].NamedMaskPath)}: list each value once, and sweep models with the same basename in separate grids with separate cache_dir",
                ExitCodes.Usage);
        return cells;
    }

    public static SweepPlan Write(string path, IReadOnlyList<SweepCell> cells)
    {
        AtomicFile.WriteAllText(path, string.Concat(cells.Select(c => JsonSerializer.Serialize(c, Json) + "\n")));
        return new SweepPlan(path, cells);
    }

    public static SweepPlan Load(string path)
    {
        var bytes = UntrustedFile.ReadBounded(path, SweepPlanLines.MaxBytes, "plan")
            ?? throw new LlmLocException($"plan '{path}' not found: write one with 'llmloc sweep plan GRID.toml'", ExitCodes.InputError);
        var cells = new List<SweepCell>();
        int lineNumber = 0;
        using var reader = new StreamReader(new MemoryStream(bytes), new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false));
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (SweepPlanLines.Problem(line, cells.Count) is { } problem)
                throw Malformed(path, lineNumber, problem);
            cells.Add(JsonSerializer.Deserialize<SweepCell>(line, Json)!);
        }
        if (cells.Count == 0)
            throw new LlmLocException($"plan '{path}' has no cells: write it again with 'llmloc sweep plan GRID.toml'", ExitCodes.InputError);
        return new SweepPlan(path, cells);
    }

    static LlmLocException Malformed(string path, int line, string problem) =>
        new($"plan '{path}' line {line} is not a sweep cell ({problem}): rewrite it with 'llmloc sweep plan GRID.toml'", ExitCodes.InputError);

    public SweepCell Cell(int index) => index >= 0 && index < Cells.Count
        ? Cells[index]
        : throw new LlmLocException($"task {index} is outside the plan '{Path}' (cells 0-{Cells.Count - 1}): give a cell number in that range", ExitCodes.Usage);
}
