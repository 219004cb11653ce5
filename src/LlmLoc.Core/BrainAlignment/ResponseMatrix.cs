using System.Globalization;
using LlmLoc.Numerics;
using LlmLoc.Stimuli;
using MathNet.Numerics.LinearAlgebra;

namespace LlmLoc.BrainAlignment;

/// <summary>
/// Brain responses Y [items × columns] (e.g. voxels) from a 1-D/2-D float .npy or a CSV whose first line names the
/// columns (pandas' default) and whose other cells are numbers (empty, NaN and nan read as NaN). Columns holding a
/// NaN or an infinity are dropped: <see cref="Kept"/> lists the original index of every kept column.
/// </summary>
public sealed record ResponseMatrix(Matrix<double> Values, int[] Kept, IReadOnlyList<string> Names, int Dropped)
{
    /// <summary>The file's columns that are complete over all its rows.</summary>
    public static ResponseMatrix Load(string path) => ResponseTable.Load(path).Complete(null, "");
}

/// <summary>A response file as read, missing values included (<see cref="Complete"/> drops them per set of rows, as
/// Brain-Score's <c>dropna('neuroid')</c> after selecting one experiment).</summary>
public sealed record ResponseTable(string Path, int Rows, int Columns, double[] Values, string[] Names)
{
    public static ResponseTable Load(string path)
    {
        if (!File.Exists(path))
            throw new LlmLocException($"responses file {path} does not exist: give a .npy or .csv matrix [items × columns]");
        var (rows, columns, values, names) = path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? FromNpy(path) : FromCsv(path);
        return new ResponseTable(path, rows, columns, values, names);
    }

    /// <summary>The given rows (null: all) and the columns finite on all of them; <paramref name="where"/> names the rows in an error.</summary>
    public ResponseMatrix Complete(int[]? rows, string where)
    {
        rows ??= Enumerable.Range(0, Rows).ToArray();
        int[] kept = Enumerable.Range(0, Columns).Where(c => rows.All(r => double.IsFinite(Values[(long)r * Columns + c]))).ToArray();
        if (kept.Length == 0)
            throw new LlmLocException($"every column of {Path} holds a NaN or an infinity{where}: give responses with at least one complete column");
        var matrix = Matrix<double>.Build.Dense(rows.Length, kept.Length, (r, k) => Values[(long)rows[r] * Columns + kept[k]]);
        return new ResponseMatrix(matrix, kept, kept.Select(c => Names[c]).ToArray(), Columns - kept.Length);
    }

    static (int Rows, int Columns, double[] Values, string[] Names) FromNpy(string path)
    {
        using var reader = NpyReader.Open(path);
        int[] shape = reader.Shape;
        if (shape.Length is not (1 or 2))
            throw new LlmLocException($"responses {path} have shape ({string.Join(", ", shape)}): give a 2-D array [items × columns] (or 1-D for one column)");
        int rows = shape[0], columns = shape.Length == 2 ? shape[1] : 1;
        var values = new double[(long)rows * columns];
        reader.Read(values);
        return (rows, columns, values, Enumerable.Range(0, columns).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray());
    }

    static (int Rows, int Columns, double[] Values, string[] Names) FromCsv(string path)
    {
        if (new FileInfo(path).Length == 0)
            throw new LlmLocException($"responses file {path} is empty: give a header line naming the columns, then one line of numbers per item");
        var table = CsvTable.Read(path);
        int columns = table.Header.Count;
        var values = new double[(long)table.Rows.Count * columns];
        for (int r = 0; r < table.Rows.Count; r++)
        {
            var (line, fields) = table.Rows[r];
            if (fields.Length != columns)
                throw new LlmLocException($"{path} line {line}: {fields.Length} cells but the header names {columns} columns; give every row all columns");
            for (int c = 0; c < columns; c++)
                values[(long)r * columns + c] = ParseCell(fields[c].Trim(), path, line, table.Header[c]);
        }
        return (table.Rows.Count, columns, values, table.Header.ToArray());
    }

    static double ParseCell(string cell, string path, int line, string column)
    {
        if (cell.Length == 0 || cell.Equals("nan", StringComparison.OrdinalIgnoreCase)) return double.NaN;
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return value;
        string lower = cell.ToLowerInvariant();
        if (lower is "inf" or "+inf" or "infinity") return double.PositiveInfinity;
        if (lower is "-inf" or "-infinity") return double.NegativeInfinity;
        throw new LlmLocException($"{path} line {line}, column '{column}': '{cell}' is not a number; responses must be numeric (empty or NaN for a missing value)");
    }
}
