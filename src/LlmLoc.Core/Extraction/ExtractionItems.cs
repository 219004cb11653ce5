using System.Text.Json;
using LlmLoc.Evaluation;
using LlmLoc.Stimuli;

namespace LlmLoc.Extraction;

/// <summary>One input item: its text, where it came from (1-based line of the file), its passage, if any, and the
/// values of the input's other columns (CSV) or fields (JSONL), passed through to the item table.</summary>
public sealed record ExtractionItem(int Index, int Line, string Text, string? Passage, IReadOnlyDictionary<string, string>? Extra = null);

/// <summary>
/// Reads the items of <c>llmloc extract</c>: <c>.csv</c> (pandas' default dialect) with a text column and an optional
/// passage column, <c>.jsonl</c> with a "text" (and optional "passage") field per line, anything else one item per line.
/// Items keep the file's order; a blank text is an error (an item row must not silently vanish, or the rows of the
/// activations would stop matching the rows of the brain data).
/// </summary>
public static class ExtractionItems
{
    /// <summary>The item table's own columns: an input column of the same name cannot be passed through.</summary>
    public static readonly string[] TableColumns = ["item", "line", "passage", "text", "tokens", "context_tokens_dropped"];

    /// <summary>The passed-through columns, in the order first seen (the CSV header's order).</summary>
    public static IReadOnlyList<string> ExtraColumns(IEnumerable<ExtractionItem> items)
    {
        var seen = new HashSet<string>();
        var columns = new List<string>();
        foreach (var item in items)
            foreach (string name in item.Extra?.Keys ?? Enumerable.Empty<string>())
                if (seen.Add(name)) columns.Add(name);
        return columns;
    }

    public static IReadOnlyList<ExtractionItem> Load(string path, string textColumn = "text", string passageColumn = "passage", bool needPassage = false)
    {
        if (!File.Exists(path))
            throw new LlmLocException($"input file {path} does not exist: give a .txt (one item per line), .csv or .jsonl file");
        var items = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? FromCsv(path, textColumn, passageColumn, needPassage)
            : path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? FromJsonl(path, textColumn, passageColumn, needPassage)
            : FromLines(path);
        if (items.Count == 0)
            throw new LlmLocException($"input file {path} holds no item: give one item per line (or per CSV/JSONL row)");
        return items;
    }

    static List<ExtractionItem> FromLines(string path)
    {
        var lines = PythonText.ReadText(path).TrimStart('\uFEFF').Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1); // the final newline
        var items = new List<ExtractionItem>();
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Trim().Length == 0)
                throw new LlmLocException($"{path} line {i + 1} is blank: every line is one item; remove blank lines");
            items.Add(new ExtractionItem(items.Count, i + 1, lines[i], null));
        }
        return items;
    }

    static List<ExtractionItem> FromCsv(string path, string textColumn, string passageColumn, bool needPassage)
    {
        if (new FileInfo(path).Length == 0)
            throw new LlmLocException($"input file {path} is empty: give a header line with a '{textColumn}' column");
        var table = CsvTable.Read(path);
        int text = table.ColumnIndex(textColumn), passage = table.ColumnIndex(passageColumn);
        if (text < 0)
            throw new LlmLocException($"{path} has no column '{textColumn}' (columns: {string.Join(", ", table.Header)}): name the text column '{textColumn}' or pass --text-column");
        if (needPassage && passage < 0)
            throw new LlmLocException($"{path} has no column '{passageColumn}' for --context passage (columns: {string.Join(", ", table.Header)}): add it or pass --passage-column");
        int[] extra = Enumerable.Range(0, table.Header.Count).Where(c => c != text && c != passage).ToArray();
        foreach (int c in extra) CheckPassThrough(path, table.Header[c]);
        var items = new List<ExtractionItem>();
        foreach (var (line, fields) in table.Rows)
        {
            string value = text < fields.Length ? fields[text] : "";
            if (value.Trim().Length == 0)
                throw new LlmLocException($"{path} line {line} has an empty '{textColumn}': give every row a text");
            var values = new OrderedDictionary<string, string>();
            foreach (int c in extra) values[table.Header[c]] = c < fields.Length ? fields[c] : "";
            items.Add(new ExtractionItem(items.Count, line, value, passage >= 0 && passage < fields.Length ? fields[passage] : null, values));
        }
        return items;
    }

    static List<ExtractionItem> FromJsonl(string path, string textField, string passageField, bool needPassage)
    {
        using var reader = new StreamReader(path);
        var items = new List<ExtractionItem>();
        foreach (var (line, item) in JsonLines.Read(path, reader))
        {
            string text = JsonLines.RequiredString(item, textField, path, line, $"give every line a \"{textField}\"");
            string? passage = JsonLines.OptionalText(item, passageField);
            if (needPassage && passage is null)
                throw new LlmLocException($"{path} line {line} has no \"{passageField}\" for --context passage: give every line one");
            var values = new OrderedDictionary<string, string>();
            foreach (var field in item.EnumerateObject().Where(f => f.Name != textField && f.Name != passageField))
            {
                CheckPassThrough(path, field.Name);
                values[field.Name] = JsonLines.OptionalText(item, field.Name) ?? (field.Value.ValueKind == JsonValueKind.Null ? "" : field.Value.GetRawText());
            }
            items.Add(new ExtractionItem(items.Count, line, text, passage, values));
        }
        return items;
    }

    static void CheckPassThrough(string path, string column)
    {
        if (TableColumns.Contains(column))
            throw new LlmLocException($"{path} has a column '{column}', which the item table computes itself: rename that column (other columns are copied to the item table)");
    }
}
