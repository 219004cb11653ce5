using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmLoc.IO;

/// <summary>
/// Typed reads of a JSON settings object (config.json, generation_config.json, tokenizer_config.json): a missing key
/// or JSON null is null; a value of the wrong type is a one-line error naming the file, the key, the value and the fix.
/// </summary>
/// <param name="name">How errors name the file, e.g. "config.json of this llama model".</param>
/// <param name="fix">What the user should do about a bad value, e.g. "restore config.json from the model's original download".</param>
public sealed class JsonSettings(JsonObject raw, string name, string fix)
{
    public JsonObject Raw { get; } = raw;

    /// <summary>The JSON object in <paramref name="path"/>; null when the file is missing and not <paramref name="required"/>.</summary>
    public static JsonObject? ReadObject(string path, bool required, string fix)
    {
        if (!File.Exists(path))
            return required ? throw new LlmLocException($"no {Path.GetFileName(path)} in {Path.GetDirectoryName(path)}; {fix}") : null;
        return ParseObject(File.ReadAllText(path), path, fix);
    }

    public static JsonObject ParseObject(string json, string source, string fix)
    {
        try
        {
            var parsed = JsonNode.Parse(json) as JsonObject ?? throw new LlmLocException($"{source} is not a JSON object; {fix}");
            JsonStrings.Check(parsed);
            return parsed;
        }
        catch (JsonException e)
        {
            throw new LlmLocException($"{source} is not valid JSON ({ErrorText.OneLine(e.Message)}); {fix}", ExitCodes.InputError, e);
        }
    }

    public double? Number(string key) => Raw[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) && double.IsFinite(d) => d,
        _ => throw WrongValue(key, "a number"),
    };

    /// <summary>A whole number that fits an int (a JSON 12 or 12.0).</summary>
    public int? WholeNumber(string key) => Raw[key] is null ? null : WholeNumber(key, Raw[key]);

    /// <summary>A list's entries or a single value, read as <see cref="WholeNumber(string)"/>.</summary>
    public int[]? WholeNumbers(string key) => Raw[key] switch
    {
        null => null,
        JsonArray list => list.Select(item => WholeNumber(key, item)).ToArray(),
        var value => [WholeNumber(key, value)],
    };

    public bool? Bool(string key) => Raw[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out bool b) => b,
        _ => throw WrongValue(key, "true or false"),
    };

    public string? String(string key) => Raw[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? text) => text,
        _ => throw WrongValue(key, "a string"),
    };

    public JsonObject? Object(string key) => Raw[key] switch
    {
        null => null,
        JsonObject o => o,
        _ => throw WrongValue(key, "an object"),
    };

    public LlmLocException WrongValue(string key, string expected) => WrongValue(key, Raw[key], expected);

    LlmLocException WrongValue(string key, JsonNode? value, string expected) =>
        new($"{name} has '{key}': {value?.ToJsonString() ?? "null"}, expected {expected}; {fix}");

    int WholeNumber(string key, JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue
            ? (int)d
            : throw WrongValue(key, node, "a whole number");
}
