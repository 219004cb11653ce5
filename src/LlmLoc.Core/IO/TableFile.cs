using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Serialization;
using Parquet.Serialization;

namespace LlmLoc.IO;

/// <summary>
/// Every table llmloc writes (--stats-out, evaluate's and align's --table, extract's --items/--units, sweep
/// summaries): <c>.parquet</c> or <c>.csv</c>, the format following the extension. The columns are the row type's
/// public properties in declaration order, named by their <see cref="JsonPropertyNameAttribute"/> when they have one
/// (as Parquet.Net names them). CSV is pandas' <c>to_csv(index=False)</c> dialect: a header line, fields quoted only
/// when needed, floats as Python's repr, NaN and null as empty fields, booleans as True/False, "\n" line ends.
/// </summary>
public static class TableFile
{
    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
    public static bool IsCsv(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>A table path must end in .csv or .parquet (a usage error before any model work otherwise).</summary>
    public static string CheckPath(string flag, string path) =>
        Directory.Exists(path) ? throw new LlmLocException($"{flag} {path} is a folder: give a file path ending in .csv or .parquet", ExitCodes.Usage)
        : IsParquet(path) || IsCsv(path) ? path
        : throw new LlmLocException($"{flag} {path}: a table is written as .csv or .parquet; end the name with one of them", ExitCodes.Usage);

    /// <summary>Stages the table in <paramref name="outputs"/> in the format its extension names.</summary>
    public static void Add<T>(OutputSet outputs, string path, IEnumerable<T> rows) => outputs.Add(path, stream => Write(path, rows, stream));

    public static void Write<T>(string path, IEnumerable<T> rows, Stream stream)
    {
        if (IsParquet(path)) ParquetSerializer.SerializeAsync(rows as IList<T> ?? rows.ToList(), stream).GetAwaiter().GetResult();
        else WriteCsv(rows, stream);
    }

    public static void WriteCsv<T>(IEnumerable<T> rows, Stream stream) => WriteCsv(rows, stream, [], (_, _) => "");

    /// <summary>
    /// The table with further text columns after the row type's: <paramref name="extraValue"/>(row index, column) gives
    /// each cell (extract's item table copies its input's other columns this way). Parquet: nullable string columns.
    /// </summary>
    public static void Add<T>(OutputSet outputs, string path, IReadOnlyList<T> rows, IReadOnlyList<string> extraColumns, Func<int, string, string> extraValue) =>
        outputs.Add(path, stream =>
        {
            if (!IsParquet(path)) WriteCsv(rows, stream, extraColumns, extraValue);
            else if (extraColumns.Count == 0) Write(path, rows, stream);
            else
            {
                var columns = Columns<T>();
                var schema = new Parquet.Schema.ParquetSchema([.. typeof(T).GetParquetSchema(true).Fields,
                    .. extraColumns.Select(c => new Parquet.Schema.DataField(c, typeof(string), true))]);
                var records = rows.Select((row, i) => (IDictionary<string, object?>)columns.Select(c => KeyValuePair.Create(Name(c), c.GetValue(row)))
                    .Concat(extraColumns.Select(c => KeyValuePair.Create(c, (object?)extraValue(i, c)))).ToDictionary()).ToList();
                ParquetSerializer.SerializeUntypedAsync(records, schema, stream).GetAwaiter().GetResult();
            }
        });

    static void WriteCsv<T>(IEnumerable<T> rows, Stream stream, IReadOnlyList<string> extraColumns, Func<int, string, string> extraValue)
    {
        var columns = Columns<T>();
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        writer.Write(string.Join(',', columns.Select(Name).Concat(extraColumns).Select(CsvText.Field)));
        writer.Write('\n');
        int index = 0;
        foreach (var row in rows)
        {
            for (int i = 0; i < columns.Length; i++)
            {
                if (i > 0) writer.Write(',');
                writer.Write(CsvText.Field(Cell(columns[i].GetValue(row))));
            }
            foreach (string extra in extraColumns) writer.Write(',' + CsvText.Field(extraValue(index, extra)));
            writer.Write('\n');
            index++;
        }
    }

    static PropertyInfo[] Columns<T>() => typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null).ToArray();

    static string Name(PropertyInfo column) => column.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? column.Name;

    /// <summary>A value as pandas writes it.</summary>
    public static string Cell(object? value) => value switch
    {
        null => "",
        double d => double.IsNaN(d) ? "" : PythonFormat.Float(d),
        float f => float.IsNaN(f) ? "" : PythonFormat.Float(f),
        bool b => PythonFormat.Bool(b),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
