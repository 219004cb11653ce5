using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmLoc.IO;

/// <summary>
/// JSON may escape half a UTF-16 surrogate pair ("\ud800"), which System.Text.Json parses but cannot turn into a
/// string: reading it later throws an InvalidOperationException far from the file. Checking every string and key once,
/// right after parsing, turns it into a JsonException that the parsing site reports with its file and fix.
/// </summary>
public static class JsonStrings
{
    public static void Check(JsonNode? node)
    {
        try { Walk(node); }
        catch (InvalidOperationException e) when (IsBadText(e)) { throw Lone(e); }
    }

    public static void Check(JsonElement element)
    {
        try { Walk(element); }
        catch (InvalidOperationException e) when (IsBadText(e)) { throw Lone(e); }
    }

    /// <summary>System.Text.Json's error for text it cannot decode (a lone surrogate, invalid UTF-8 in an escape).</summary>
    public static bool IsBadText(InvalidOperationException e) =>
        e.TargetSite?.DeclaringType?.Namespace?.StartsWith("System.Text", StringComparison.Ordinal) == true
        && e.Message.Contains("UTF", StringComparison.Ordinal);

    static JsonException Lone(Exception e) =>
        new("a string holds text that is not valid Unicode, such as a lone UTF-16 surrogate escape (\\ud800)", e);

    static void Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o) Walk(value);
                break;
            case JsonArray a:
                foreach (var item in a) Walk(item);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                v.GetValue<string>();
                break;
        }
    }

    static void Walk(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) { _ = property.Name; Walk(property.Value); }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Walk(item);
                break;
            case JsonValueKind.String:
                element.GetString();
                break;
        }
    }
}
