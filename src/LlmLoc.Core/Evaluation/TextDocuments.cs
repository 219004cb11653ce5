namespace LlmLoc.Evaluation;

/// <summary>
/// The --text file: plain text is one document; a JSONL file (every non-blank line a JSON object, detected by the
/// first non-blank character '{' and the .jsonl/.json extension) gives one document per line's "text" field.
/// </summary>
public static class TextDocuments
{
    public static IReadOnlyList<string> Load(string path)
    {
        using var reader = JsonLines.OpenFile(path, "text", "--text");
        string content = reader.ReadToEnd();
        var documents = IsJsonLines(path, content) ? ParseJsonLines(content, path) : [content];
        if (documents.All(d => d.Trim().Length == 0))
            throw new LlmLocException($"text file {path} is empty: give a file with text to score (plain text, or JSONL with a \"text\" field)");
        return documents;
    }

    static bool IsJsonLines(string path, string content) =>
        (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        && content.TrimStart().StartsWith('{');

    public static IReadOnlyList<string> ParseJsonLines(string content, string source)
    {
        var documents = new List<string>();
        foreach (var (line, item) in JsonLines.Read(source, new StringReader(content)))
            documents.Add(JsonLines.RequiredString(item, "text", source, line, "each line needs a \"text\" string"));
        return documents;
    }
}
