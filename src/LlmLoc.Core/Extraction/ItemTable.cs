using System.Globalization;
using LlmLoc.Stimuli;
using Parquet.Serialization;

namespace LlmLoc.Extraction;

/// <summary>Reads one column of extract's item table (.csv or .parquet) as text, one value per item row.</summary>
public static class ItemTable
{
    public static IReadOnlyList<string> ReadColumn(string path, string column, string flag)
    {
        if (!File.Exists(path))
            throw new LlmLocException($"{flag} {path} does not exist: give the item table `llmloc extract` wrote (OUTPUT.items.csv)");
        if (IO.TableFile.IsParquet(path)) return FromParquet(path, column, flag);
        if (new FileInfo(path).Length == 0)
            throw new LlmLocException($"{flag} {path} is empty: give the item table `llmloc extract` wrote");
        var table = CsvTable.Read(path);
        int index = table.ColumnIndex(column);
        if (index < 0) throw Missing(path, column, table.Header);
        return table.Rows.Select(row => index < row.Fields.Length ? row.Fields[index] : "").ToList();
    }

    static List<string> FromParquet(string path, string column, string flag)
    {
        DeserializationResult<Dictionary<string, object>> table;
        try
        {
            using var stream = File.OpenRead(path);
            table = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or Parquet.ParquetException)
        {
            throw new LlmLocException($"{flag} {path} is not a readable Parquet file ({e.Message.Split('\n')[0]}): give the item table `llmloc extract` wrote");
        }
        var names = table.Schema.GetDataFields().Select(f => f.Name).ToList();
        if (!names.Contains(column)) throw Missing(path, column, names);
        return table.Data.Select(row => row.TryGetValue(column, out var value) ? Text(value) : "").ToList();
    }

    static string Text(object? value) => value switch
    {
        null => "",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    static LlmLocException Missing(string path, string column, IEnumerable<string> columns) =>
        new($"{path} has no column '{column}' (columns: {string.Join(", ", columns)}): name a column of the item table, e.g. one extract copied from its input");
}
