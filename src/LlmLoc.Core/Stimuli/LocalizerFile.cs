using System.Text.Json;
using LlmLoc.Masks;
using Tomlyn;
using Tomlyn.Model;

namespace LlmLoc.Stimuli;

/// <summary>
/// A localizer definition file (<c>--localizer FILE.toml</c>, docs/localizers.md):
/// <code>
/// name = "lang-es"                      # [a-z0-9-]+
/// description = "Spanish sentences vs nonword lists"   # optional
/// positive = "oraciones.txt"            # .txt: one item per non-blank line
/// negative = { path = "pairs.csv", column = "bad" }    # .csv: one column; .jsonl: { path, field }
/// max_tokens = 12                       # optional: cut each item's token ids
/// pooling = "last-token"                # optional: the default --pooling of this localizer
/// </code>
/// Paths are relative to the file. Reading checks everything a run needs from the file before any model work: the
/// keys, the name, that both condition files exist and hold at least two items each.
/// </summary>
public static class LocalizerFile
{
    static readonly string[] Keys = ["name", "description", "positive", "negative", "max_tokens", "pooling"];

    /// <summary>The format in a few lines, for <c>llmloc stimuli list</c>.</summary>
    public const string FormatHelp = """
        Your own localizer: a definition file, given as --localizer FILE.toml (paths relative to it):
          name = "lang-es"                                  # [a-z0-9-]+
          positive = "oraciones.txt"                        # .txt: one item per non-blank line, as written
          negative = { path = "pairs.csv", column = "bad" } # .csv: a column; .jsonl: { path = "…", field = "…" }
          max_tokens = 12                                   # optional: cut each item's tokens
          pooling = "last-token"                            # optional: its default --pooling (or "mean")
          description = "Spanish sentences vs nonwords"     # optional
        Masks are cached as network={name}-{8 hex of the token ids' sha256}. Start from a built-in:
          llmloc stimuli export --network language --out DIR   (docs/localizers.md)
        """;

    /// <summary>The definition of <paramref name="path"/> with both conditions read (a one-line error on any problem).</summary>
    public static LocalizerDefinition Read(string path)
    {
        if (!File.Exists(path))
            throw new LlmLocException($"localizer definition {path} does not exist: give the path of a .toml definition (see `llmloc stimuli list`)", ExitCodes.InputError);
        string text;
        try { text = PythonText.ReadText(path).TrimStart('\uFEFF'); }
        catch (IOException e) { throw new LlmLocException($"localizer definition {path} cannot be read ({e.Message}): check the file", ExitCodes.InputError, e); }
        TomlTable table;
        try { table = TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable(); }
        catch (TomlException e)
        {
            string first = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "syntax error";
            throw new LlmLocException($"localizer definition {path} is not valid TOML: {first}", ExitCodes.InputError);
        }
        LlmLocException Error(string key, string problem) => new($"localizer definition {path}: '{key}' {problem}", ExitCodes.InputError);
        foreach (string key in table.Keys)
            if (!Keys.Contains(key)) throw Error(key, $"is not a definition key: use {string.Join(", ", Keys)}");

        string name = table.TryGetValue("name", out var rawName) ? rawName as string ?? throw Error("name", "must be a string")
            : throw Error("name", "is required: e.g. name = \"lang-es\"");
        if (!LocalizerDefinition.IsValidName(name))
            throw Error("name", $"\"{name}\" is not a localizer name: use 1 to 64 lower-case letters, digits and '-', starting with a letter or digit (it becomes part of cache file names), e.g. \"lang-es\"");
        if (LocalizerDefinition.ReservedNames.Contains(name))
            throw Error("name", $"\"{name}\" is a lesion condition, not a localizer: choose another name");

        int? maxTokens = null;
        if (table.TryGetValue("max_tokens", out var rawMax))
            maxTokens = rawMax is long m && m is >= 1 and <= int.MaxValue ? (int)m : throw Error("max_tokens", "must be a positive integer, e.g. max_tokens = 12");
        Pooling? pooling = null;
        if (table.TryGetValue("pooling", out var rawPooling))
        {
            if (rawPooling is not string poolingName || !PoolingNames.All.Contains(poolingName))
                throw Error("pooling", $"must be {string.Join(" or ", PoolingNames.All.Select(p => $"\"{p}\""))}");
            pooling = PoolingNames.Parse(poolingName);
        }
        string description = table.TryGetValue("description", out var rawDescription)
            ? rawDescription as string ?? throw Error("description", "must be a string") : "";

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var positive = Condition(table, "positive", folder, Error);
        var negative = Condition(table, "negative", folder, Error);
        // Read now: a missing file or a short condition must fail before any model work; the items are kept.
        var stimuli = new LocalizerStimuli(positive.ReadItems(), negative.ReadItems());
        return new LocalizerDefinition
        {
            Name = name,
            LoadStimuli = (_, _) => stimuli,
            MaxTokens = maxTokens,
            DefaultPooling = pooling,
            Description = description,
            SourceFile = path,
            ConditionNames = (positive.Describe(), negative.Describe()),
        };
    }

    /// <summary>Where one condition's items are: a file, and the CSV column or JSONL field holding them.</summary>
    public sealed record ConditionSource(string Key, string Path, string? Column, string? Field)
    {
        public string Describe() => System.IO.Path.GetFileName(Path) + (Column is { } c ? $" [{c}]" : Field is { } f ? $" [{f}]" : "");

        /// <summary>The items in file order; at least two (the t-test needs two per condition).</summary>
        public IReadOnlyList<string> ReadItems()
        {
            if (!File.Exists(Path))
                throw new LlmLocException($"the {Key} condition's file {Path} does not exist: fix '{Key}' in the definition (paths are relative to it)", ExitCodes.InputError);
            var items = Column is not null ? CsvItems() : Field is not null ? JsonlItems() : LineItems();
            if (items.Count < 2)
                throw new LlmLocException($"the {Key} condition ({Describe()}) holds {items.Count} item{(items.Count == 1 ? "" : "s")}: " +
                    "the t-test needs at least 2 per condition; add items", ExitCodes.InputError);
            return items;
        }

        /// <summary>Every line that is not blank, exactly as written (no trimming), in UTF-8 with any line ending.</summary>
        List<string> LineItems() =>
            PythonText.ReadLines(PythonText.ReadText(Path).TrimStart('\uFEFF')).Where(line => line.Trim().Length > 0).ToList();

        /// <summary>The column's cells in row order (pandas' CSV dialect), blank cells skipped.</summary>
        List<string> CsvItems()
        {
            var table = CsvTable.Read(Path, $"a header line naming the column '{Column}'");
            int index = table.ColumnIndex(Column!);
            if (index < 0)
                throw new LlmLocException($"{Path} has no column '{Column}' (columns: {string.Join(", ", table.Header)}): fix 'column' of '{Key}' in the definition", ExitCodes.InputError);
            return table.Rows.Select(r => index < r.Fields.Length ? r.Fields[index] : "").Where(cell => cell.Trim().Length > 0).ToList();
        }

        /// <summary>The field of every non-blank line's JSON object (a string: newlines and all, exactly).</summary>
        List<string> JsonlItems()
        {
            var items = new List<string>();
            int lineNumber = 0;
            foreach (string line in PythonText.ReadLines(PythonText.ReadText(Path).TrimStart('\uFEFF')))
            {
                lineNumber++;
                if (line.Trim().Length == 0) continue;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(Field!, out var value) || value.ValueKind != JsonValueKind.String)
                        throw new LlmLocException($"{Path} line {lineNumber} has no string field \"{Field}\": give every line a JSON object with it, or fix 'field' of '{Key}' in the definition", ExitCodes.InputError);
                    items.Add(value.GetString()!);
                }
                catch (JsonException e)
                {
                    throw new LlmLocException($"{Path} line {lineNumber} is not valid JSON ({e.Message.Split('.')[0]}): write one JSON object per line", ExitCodes.InputError);
                }
            }
            return items;
        }
    }

    static ConditionSource Condition(TomlTable table, string key, string folder, Func<string, string, LlmLocException> error)
    {
        const string forms = "a path (\"items.txt\"), { path = \"items.csv\", column = \"…\" } or { path = \"items.jsonl\", field = \"…\" }";
        if (!table.TryGetValue(key, out var raw)) throw error(key, $"is required: give {forms}");
        string path;
        string? column = null, field = null;
        if (raw is string plain) path = plain;
        else if (raw is TomlTable inline)
        {
            foreach (string sub in inline.Keys)
                if (sub is not ("path" or "column" or "field")) throw error(key, $"has an unknown key '{sub}': use path with column (CSV) or field (JSONL)");
            path = inline.TryGetValue("path", out var p) && p is string s ? s : throw error(key, "needs path = \"…\" (a string)");
            column = inline.TryGetValue("column", out var c) ? c as string ?? throw error(key, "column must be a string") : null;
            field = inline.TryGetValue("field", out var f) ? f as string ?? throw error(key, "field must be a string") : null;
        }
        else throw error(key, $"must be {forms}");

        string extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".txt" when column is null && field is null: break;
            case ".csv" when column is not null && field is null: break;
            case ".jsonl" when field is not null && column is null: break;
            case ".txt": throw error(key, "is a .txt file (one item per line): give it as a plain path, without column or field");
            case ".csv": throw error(key, "is a .csv file: give { path = \"…\", column = \"…\" } naming the column that holds the items");
            case ".jsonl": throw error(key, "is a .jsonl file: give { path = \"…\", field = \"…\" } naming the field that holds the items");
            default: throw error(key, $"names '{path}': condition files end in .txt, .csv or .jsonl");
        }
        return new ConditionSource(key, Path.GetFullPath(path, folder), column, field);
    }
}
