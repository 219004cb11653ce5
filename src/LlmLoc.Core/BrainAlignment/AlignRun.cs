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

public sealed record ConditionScore(AlignCondition Condition, PredictivityScore Score);

public sealed record AlignResult(AlignOptions Options, int Items, int[] ActivationShape, ResponseMatrix Responses, int[][] TestSets,
    IReadOnlyList<ConditionScore> Conditions);

/// <summary>
/// The align pipeline: check inputs, read the responses and the needed activation columns (streamed: the activation
/// file may exceed memory), score every condition with <see cref="LinearPredictivity"/> on the same folds, print the
/// table, write --json / --parquet.
/// </summary>
public static class AlignRun
{
    public static AlignResult Run(AlignOptions options, TextWriter stdout, TextWriter stderr)
    {
        options.Validate();
        // Cheap checks first: an unwritable output should fail before any number is computed.
        if (options.JsonOut is { } jsonPath) IO.AtomicFile.CheckCanWriteFile(jsonPath, "--json");
        if (options.TableOut is { } tablePath) IO.AtomicFile.CheckCanWriteFile(tablePath, "--table");
        int[] shape;
        using (var header = NpyReader.Open(options.ActivationsFile)) shape = header.Shape;
        if (shape.Length is not (2 or 3))
            throw new LlmLocException($"activations {options.ActivationsFile} have shape ({string.Join(", ", shape)}): give [items × layers × hidden] or [items × units] as `llmloc extract` writes");
        int items = shape[0];
        var conditions = Conditions(options, shape, stderr);

        var responses = ResponseMatrix.Load(options.ResponsesFile);
        if (responses.Values.RowCount != items)
            throw new LlmLocException($"activations {options.ActivationsFile} have {items} rows but responses {options.ResponsesFile} have {responses.Values.RowCount}: give one response row per extracted item, in the same order");
        if (responses.Dropped > 0)
            stderr.WriteLine($"llmloc: warning: {responses.Dropped} response column(s) of {options.ResponsesFile} hold NaN or infinite values and were dropped ({responses.Values.ColumnCount} kept)");

        var testSets = LinearPredictivity.KFoldTestSets(items, options.Folds, (uint)options.SplitSeed);
        var activations = ActivationColumns.Read(options.ActivationsFile, conditions.SelectMany(c => c.Columns));
        var scores = StepProgress.Run($"{options.Method.ToString().ToLowerInvariant()} predictivity, {conditions.Count} condition(s) × {options.Folds} folds",
            conditions.Count, stderr, done => conditions.Select(condition =>
            {
                var score = LinearPredictivity.CrossValidate(activations.Matrix(condition.Columns), responses.Values, testSets, options.Method);
                done(1);
                return new ConditionScore(condition, score);
            }).ToList());

        foreach (var s in scores.Where(s => s.Score.Folds.Any(f => f.NanColumns > 0)))
            stderr.WriteLine($"llmloc: warning: {Label(s.Condition)}: {s.Score.Folds.Sum(f => f.NanColumns)} (fold, column) pair(s) gave NaN r " +
                "(a response column constant in a test fold, or constant predictions); they are left out of those folds' medians");
        foreach (var s in scores.Where(s => s.Score.NanFolds > 0))
            stderr.WriteLine($"llmloc: warning: {Label(s.Condition)}: {s.Score.NanFolds} fold(s) have no finite r; the score averages the other folds");

        var result = new AlignResult(options, items, shape, responses, testSets, scores);
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
            var language = LesionMaskResolver.Resolve(options.MaskRequest(options.Mask.Network, options.Seed), stderr).Mask!;
            if (language.Layers != layers || language.Hidden != hidden)
                throw new LlmLocException($"mask {language.Source} has shape ({language.Layers}, {language.Hidden}) but the activations hold {layers} layers × {hidden} units: use the mask localized for the model that extracted them");
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

    public Matrix<double> Matrix(int[] columns)
    {
        int[] at = columns.Select(c => _position[c]).ToArray();
        return Matrix<double>.Build.Dense(_rows.Length, at.Length, (i, j) => _rows[i][at[j]]);
    }
}
