using System.Text.Json;

namespace LlmLoc.Evaluation;

/// <summary>Reads a JSONL file one object per non-blank line; every error names the file and the line number.</summary>
internal static class JsonLines
{
    public static IEnumerable<(int Line, JsonElement Item)> Read(string source, TextReader reader)
    {
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement item;
            try
            {
                using var doc = JsonDocument.Parse(line);
                IO.JsonStrings.Check(doc.RootElement);
                item = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new LlmLocException($"{source} line {lineNumber} is not valid JSON ({e.Message.Split('.')[0]}): write one JSON object per line");
            }
            if (item.ValueKind != JsonValueKind.Object)
                throw new LlmLocException($"{source} line {lineNumber} is a JSON {item.ValueKind.ToString().ToLowerInvariant()}, not an object: write one JSON object per line");
            yield return (lineNumber, item);
        }
    }

    /// <summary>A required non-empty string field.</summary>
    public static string RequiredString(JsonElement item, string field, string source, int line, string hint)
    {
        if (!item.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
            throw new LlmLocException($"{source} line {line} has no string field \"{field}\": {hint}");
        string text = value.GetString()!;
        if (text.Trim().Length == 0)
            throw new LlmLocException($"{source} line {line} has an empty \"{field}\": {hint}");
        return text;
    }

    /// <summary>An optional field as text (strings as is, numbers by their JSON text), or null.</summary>
    public static string? OptionalText(JsonElement item, string field) =>
        item.TryGetProperty(field, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        } : null;

    public static TextReader OpenFile(string path, string what, string flag)
    {
        if (!File.Exists(path))
            throw new LlmLocException($"{what} file {path} does not exist: check the path given to {flag}");
        return new StreamReader(path);
    }
}
