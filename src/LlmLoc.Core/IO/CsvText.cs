namespace LlmLoc.IO;

/// <summary>CSV as Python's csv module writes it (QUOTE_MINIMAL): the one field quoting of every table llmloc writes.</summary>
public static class CsvText
{
    /// <summary>A field with a comma, a quote or a line break is quoted, its quotes doubled; others are written as they are.</summary>
    public static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
