namespace LlmLoc.Stimuli;

/// <summary>
/// A comma-separated file as pandas.read_csv reads it by default: first record is the header, double quotes
/// enclose fields (with "" for a quote, commas and newlines allowed inside), blank lines are skipped, whitespace is kept.
/// </summary>
internal sealed class CsvTable
{
    public required string Path { get; init; }
    public required IReadOnlyList<string> Header { get; init; }
    /// <summary>Data records with the file line on which each starts.</summary>
    public required IReadOnlyList<(int Line, string[] Fields)> Rows { get; init; }

    public int ColumnIndex(string name)
    {
        for (int i = 0; i < Header.Count; i++)
            if (Header[i] == name) return i;
        return -1;
    }

    /// <param name="expectation">What the header should be, for the error on an empty file.</param>
    public static CsvTable Read(string path, string expectation = "a header line with columns stim1..stim14")
    {
        string text = PythonText.ReadText(path);
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..]; // pandas drops a UTF-8 byte-order mark before the header
        var records = ParseRecords(text, path);
        if (records.Count == 0)
            throw new LlmLocException($"'{path}' is empty: expected {expectation}");
        var header = records[0].Fields;
        var rows = new List<(int, string[])>();
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Length > header.Length)
                throw new LlmLocException($"'{path}' line {line}: expected {header.Length} fields, saw {fields.Length}; fix the CSV row");
            rows.Add((line, fields));
        }
        return new CsvTable { Path = path, Header = header, Rows = rows };
    }

    static List<(int Line, string[] Fields)> ParseRecords(string text, string path)
    {
        var records = new List<(int, string[])>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        bool inQuotes = false, recordHasContent = false;

        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
        }
        void EndRecord()
        {
            EndField();
            // A line with nothing on it is skipped (pandas skip_blank_lines); ",," is a record of empty fields.
            if (recordHasContent)
                records.Add((recordLine, fields.ToArray()));
            fields.Clear();
            recordHasContent = false;
        }

        while (i < text.Length)
        {
            char c = text[i++];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i < text.Length && text[i] == '"') { field.Append('"'); i++; }
                    else inQuotes = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    inQuotes = true;
                    recordHasContent = true;
                    break;
                case ',':
                    EndField();
                    recordHasContent = true;
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    if (c != ' ' && c != '\t') recordHasContent = true; // whitespace-only lines count as blank
                    break;
            }
        }
        if (inQuotes)
            throw new LlmLocException($"'{path}' line {recordLine}: a quoted field is never closed; fix the CSV quoting");
        EndRecord();
        return records;
    }
}
