using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Numerics;
using LlmLoc.Reporting;
using MathNet.Numerics.LinearAlgebra;

namespace LlmLoc.BrainAlignment;

/// <summary>A set of activation columns to score: the language units, one random control, one layer, or all columns.
/// <see cref="Columns"/> are flat indices layer × hidden + unit (the mask's C order).</summary>
public sealed record AlignCondition(string Name, int? Seed, int? Layer, int[] Columns);

public static class AlignConditionNames
{
    public const string Random = "random", Layer = "layer", All = "all";
}

/// <summary>One group of items scored on its own (all items when there is no --group-column): its rows of the activation
/// file (ascending), its responses (the columns complete on those rows), its splits (indices into <see cref="Rows"/>).</summary>
public sealed record AlignGroup(string Name, int[] Rows, ResponseMatrix Responses, DataSplit[] Splits, double? Ceiling);

public sealed record GroupScore(string Group, PredictivityScore Score, double? Normalised);

/// <summary>A condition's scores per group; its score is their mean (as the Pereira2018 benchmark averages its two
/// experiments), and so is its normalised score.</summary>
public sealed record ConditionScore(AlignCondition Condition, IReadOnlyList<GroupScore> Groups)
{
    public double Score => Groups.Average(g => g.Score.Score);
    public double? Normalised => Groups.All(g => g.Normalised is not null) ? Groups.Average(g => g.Normalised!.Value) : null;
    public int NanR => Groups.Sum(g => g.Score.Folds.Sum(f => f.NanColumns));
}

public sealed record AlignResult(AlignOptions Options, int Items, int[] ActivationShape, IReadOnlyList<AlignGroup> Groups,
    IReadOnlyList<ConditionScore> Conditions, RandomComparison? Comparison);

/// <summary>
/// The align pipeline: check inputs, read the responses and the needed activation columns (streamed: the activation
/// file may exceed memory; conditions are read in batches of at most <see cref="ColumnBudgetBytes"/>), score every
/// condition with <see cref="LinearPredictivity"/> on the same splits per group, compare language with random units,
/// print the table, write --json / --parquet.
/// </summary>
public static class AlignRun
{
    /// <summary>Activation columns held at once (float64), e.g. for --layer all on a large model.</summary>
    public const long ColumnBudgetBytes = 256L << 20;

    /// <param name="columnBudgetBytes">Activation columns held at once (tests make it small).</param>
    public static AlignResult Run(AlignOptions options, TextWriter stdout, TextWriter stderr, long columnBudgetBytes = ColumnBudgetBytes)
    {
        options.Validate();
        options = BrainScoreProcedure.Resolve(options);
        // Cheap checks first: an unwritable output should fail before any number is computed.
        if (options.JsonOut is { } jsonPath) IO.AtomicFile.CheckCanWriteFile(jsonPath, "--json");
        if (options.TableOut is { } tablePath) IO.AtomicFile.CheckCanWriteFile(tablePath, "--table");
        int[] shape;
        using (var header = NpyReader.Open(options.ActivationsFile)) shape = header.Shape;
        if (shape.Length is not (2 or 3))
            throw new LlmLocException($"activations {options.ActivationsFile} have shape ({string.Join(", ", shape)}): give [items × layers × hidden] or [items × units] as `llmloc extract` writes");
        int items = shape[0];
        var conditions = Conditions(options, shape, stderr);
        var groups = Groups(options, items, stderr);

        int columnsPerBatch = (int)Math.Clamp(columnBudgetBytes / ((long)items * sizeof(double)), 1, int.MaxValue);
        var batches = Batches(conditions, columnsPerBatch).ToList();
        string what = $"{options.Method.ToString().ToLowerInvariant()} predictivity, {conditions.Count} condition(s) × {groups.Count} group(s) × {options.Folds} {SplitWord(options)}" +
            (batches.Count > 1 ? $" ({batches.Count} activation reads)" : "");
        var scores = StepProgress.Run(what, conditions.Count * groups.Count, stderr, done =>
        {
            var result = new List<ConditionScore>();
            foreach (var batch in batches)
            {
                var activations = ActivationColumns.Read(options.ActivationsFile, batch.SelectMany(c => c.Columns));
                foreach (var condition in batch)
                    result.Add(new ConditionScore(condition, groups.Select(group =>
                    {
                        var score = LinearPredictivity.CrossValidate(activations.Matrix(condition.Columns, group.Rows), group.Responses.Values,
                            group.Splits, options.Method, cutoff: BrainScoreProcedure.LeastSquaresCutoff(options));
                        done(1);
                        return new GroupScore(group.Name, score, group.Ceiling is { } c ? AlignCeilings.Normalise(score.Score, c) : null);
                    }).ToList()));
            }
            return result;
        });

        foreach (var s in scores.Where(s => s.NanR > 0))
            stderr.WriteLine($"llmloc: warning: {Label(s.Condition)}: {s.NanR} ({SplitWord(options)[..^1]}, column) pair(s) gave NaN r " +
                $"(a response column constant in a test set, or constant predictions); they are left out of those {SplitWord(options)}' medians");
        foreach (var s in scores.Where(s => s.Groups.Any(g => g.Score.NanFolds > 0)))
            stderr.WriteLine($"llmloc: warning: {Label(s.Condition)}: {s.Groups.Sum(g => g.Score.NanFolds)} {SplitWord(options)} have no finite r; the score averages the others");

        var result = new AlignResult(options, items, shape, groups, scores, Compare(options, scores, stderr));
        AlignReport.WriteTable(result, stdout);
        // Both files or neither.
        using (var outputs = new IO.OutputSet())
        {
            if (options.JsonOut is { } json) outputs.Add(json, stream => AlignReport.WriteJson(result, stream));
            if (options.TableOut is { } table) IO.TableFile.Add(outputs, table, AlignReport.ToRows(result));
            outputs.Commit();
        }
        foreach (var path in new[] { options.JsonOut, options.TableOut }.OfType<string>())
            stderr.WriteLine($"llmloc: wrote {path}");
        return result;
    }

    public static string SplitWord(AlignOptions options) => options.CrossValidation == CrossValidationScheme.KFold ? "folds" : "splits";

    /// <summary>Consecutive conditions whose distinct columns fit <paramref name="columnsPerBatch"/> (a larger one goes alone).</summary>
    static IEnumerable<List<AlignCondition>> Batches(IReadOnlyList<AlignCondition> conditions, int columnsPerBatch)
    {
        var batch = new List<AlignCondition>();
        var columns = new HashSet<int>();
        foreach (var condition in conditions)
        {
            int added = condition.Columns.Count(c => !columns.Contains(c));
            if (batch.Count > 0 && columns.Count + added > columnsPerBatch)
            {
                yield return batch;
                (batch, columns) = ([], []);
            }
            batch.Add(condition);
            columns.UnionWith(condition.Columns);
        }
        if (batch.Count > 0) yield return batch;
    }

    /// <summary>
    /// The groups of --group-column (first-appearance order, each over its rows in file order, with the response columns
    /// complete on those rows, as Brain-Score's <c>dropna('neuroid')</c> after selecting an experiment), or one group
    /// "all". Each group gets its own splits with the same seed.
    /// </summary>
    static IReadOnlyList<AlignGroup> Groups(AlignOptions options, int items, TextWriter stderr)
    {
        var ceilings = AlignCeilings.Parse(options.Ceilings, options.GroupColumn);
        var rowsByGroup = new List<(string Name, int[] Rows)>();
        if (options.GroupColumn is { } column)
        {
            var values = Extraction.ItemTable.ReadColumn(options.ItemsFile!, column, "--items");
            if (values.Count != items)
                throw new LlmLocException($"--items {options.ItemsFile} has {values.Count} rows but the activations have {items}: give the item table of the same extraction");
            int empty = values.ToList().FindIndex(v => v.Trim().Length == 0);
            if (empty >= 0)
                throw new LlmLocException($"--items {options.ItemsFile} row {empty} has an empty '{column}': give every item a group");
            rowsByGroup = values.Select((v, i) => (v, i)).GroupBy(p => p.v).Select(g => (g.Key, g.Select(p => p.i).ToArray())).ToList();
            ceilings.CheckGroups(rowsByGroup.Select(g => g.Name).ToList(), column);
        }
        else rowsByGroup.Add(("all", Enumerable.Range(0, items).ToArray()));

        var table = ResponseTable.Load(options.ResponsesFile);
        if (table.Rows != items)
            throw new LlmLocException($"activations {options.ActivationsFile} have {items} rows but responses {options.ResponsesFile} have {table.Rows}: give one response row per extracted item, in the same order");
        var groups = new List<AlignGroup>();
        foreach (var (name, rows) in rowsByGroup)
        {
            string where = options.GroupColumn is null ? "" : $" on the rows of group '{name}'";
            var responses = table.Complete(rows, where);
            if (responses.Dropped > 0)
                stderr.WriteLine($"llmloc: warning: {responses.Dropped} response column(s) of {options.ResponsesFile} hold NaN or infinite values{where} and were dropped ({responses.Values.ColumnCount} kept)");
            DataSplit[] splits;
            try
            {
                splits = BrainScoreProcedure.SplitsFor(options, rows.Length);
            }
            catch (LlmLocException e) when (options.GroupColumn is not null)
            {
                throw new LlmLocException($"group '{name}' of --group-column {options.GroupColumn} ({rows.Length} items): {e.Message}", e.ExitCode);
            }
            groups.Add(new AlignGroup(name, rows, responses, splits, ceilings.For(name)));
        }
        return groups;
    }

    /// <summary>The mask's units (language, or the --network's) vs the random sets on the conditions' scores (mean over
    /// groups); none without both.</summary>
    static RandomComparison? Compare(AlignOptions options, IReadOnlyList<ConditionScore> scores, TextWriter stderr)
    {
        var language = options.HasLanguageMask ? scores.FirstOrDefault(s => s.Condition.Name == options.Mask.Network) : null;
        double[] random = scores.Where(s => s.Condition.Name == AlignConditionNames.Random).Select(s => s.Score).ToArray();
        if (language is null || random.Length == 0) return null;
        if (double.IsNaN(language.Score) || random.Any(double.IsNaN))
        {
            stderr.WriteLine("llmloc: warning: the language or a random score is NaN, so language and random units are not compared");
            return null;
        }
        return RandomComparison.Of(language.Score, random, options.Seed);
    }

    public static string Label(AlignCondition c) => c.Name switch
    {
        AlignConditionNames.Random => $"random (seed {c.Seed})",
        AlignConditionNames.Layer => $"layer {c.Layer}",
        _ => c.Name,
    };

    /// <summary>language + random controls (seed, seed+1, …) when a language mask is given, the --layer condition,
    /// or else all columns. Masks are resolved as generate-lesion and evaluate do (one resolver for all verbs).</summary>
    public static IReadOnlyList<AlignCondition> Conditions(AlignOptions options, int[] shape, TextWriter? stderr = null)
    {
        bool byUnit = shape.Length == 3;
        int layers = byUnit ? shape[1] : 0, hidden = byUnit ? shape[2] : 0;
        var conditions = new List<AlignCondition>();
        if (options.HasLanguageMask)
        {
            if (!byUnit)
                throw new LlmLocException($"activations {options.ActivationsFile} are 2-D [items × units], so language and random units cannot be chosen: extract without --mask to get [items × layers × hidden]", ExitCodes.Usage);
            // A custom localizer's cache network is resolved once for the mask and its random controls.
            if (options.Model is { } model) options = options with { Mask = Sessions.LocalizerReference.Resolve(options.Mask, model) };
            var language = LesionMaskResolver.Resolve(options.MaskRequest(options.Mask.Network, options.Seed), stderr).Mask!;
            if (language.Layers != layers || language.Hidden != hidden)
                throw new LlmLocException($"mask {language.Source} has shape ({language.Layers}, {language.Hidden}) but the activations hold {layers} layers × {hidden} units: use the mask localized for the model (and --site) that extracted them");
            conditions.Add(new AlignCondition(options.Mask.Network, null, null, language.SelectedIndices()));
            for (int i = 0; i < options.RandomSeeds; i++)
            {
                int seed = options.Seed + i;
                var random = LesionMaskResolver.Resolve(options.MaskRequest(Networks.Random, seed)).Mask!;
                conditions.Add(new AlignCondition(AlignConditionNames.Random, seed, null, random.SelectedIndices()));
            }
        }
        if (options.Layer is { } layer)
        {
            if (!byUnit)
                throw new LlmLocException($"--layer needs activations [items × layers × hidden]; {options.ActivationsFile} is 2-D", ExitCodes.Usage);
            if (layer >= layers)
                throw new LlmLocException($"--layer {layer} is out of range: the activations have layers 0 to {layers - 1}", ExitCodes.Usage);
            conditions.Add(new AlignCondition(AlignConditionNames.Layer, null, layer, Enumerable.Range(layer * hidden, hidden).ToArray()));
        }
        if (options.AllLayers)
        {
            if (!byUnit)
                throw new LlmLocException($"--layer all needs activations [items × layers × hidden]; {options.ActivationsFile} is 2-D (a masked extraction): extract without a mask", ExitCodes.Usage);
            for (int l = 0; l < layers; l++)
                conditions.Add(new AlignCondition(AlignConditionNames.Layer, null, l, Enumerable.Range(l * hidden, hidden).ToArray()));
        }
        if (conditions.Count == 0)
        {
            int columns = byUnit ? layers * hidden : shape[1];
            conditions.Add(new AlignCondition(AlignConditionNames.All, null, null, Enumerable.Range(0, columns).ToArray()));
        }
        return conditions;
    }
}

/// <summary>The activation columns some condition needs, read row by row from a (possibly huge) .npy.</summary>
public sealed class ActivationColumns
{
    readonly double[][] _rows;
    readonly Dictionary<int, int> _position;

    ActivationColumns(double[][] rows, Dictionary<int, int> position) => (_rows, _position) = (rows, position);

    public static ActivationColumns Read(string path, IEnumerable<int> columns)
    {
        int[] wanted = columns.Distinct().Order().ToArray();
        var position = wanted.Select((column, i) => (column, i)).ToDictionary(p => p.column, p => p.i);
        using var reader = NpyReader.Open(path);
        int items = reader.Shape[0];
        var row = new double[reader.Shape.Skip(1).Aggregate(1L, (a, b) => a * b)];
        var rows = new double[items][];
        for (int i = 0; i < items; i++)
        {
            reader.Read(row);
            rows[i] = new double[wanted.Length];
            for (int k = 0; k < wanted.Length; k++)
            {
                double value = row[wanted[k]];
                if (!double.IsFinite(value))
                    throw new LlmLocException($"activations {path} hold a non-finite value (item {i}, column {wanted[k]}): extract them again (the model produced NaN or infinity)");
                rows[i][k] = value;
            }
        }
        return new ActivationColumns(rows, position);
    }

    public Matrix<double> Matrix(int[] columns) => Matrix(columns, Enumerable.Range(0, _rows.Length).ToArray());

    /// <summary>The given columns on the given rows.</summary>
    public Matrix<double> Matrix(int[] columns, int[] rows)
    {
        int[] at = columns.Select(c => _position[c]).ToArray();
        return Matrix<double>.Build.Dense(rows.Length, at.Length, (i, j) => _rows[rows[i]][at[j]]);
    }
}
