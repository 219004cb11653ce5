using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmLoc.IO;

/// <summary>How llmloc writes its JSON results (evaluate --json, align --json): snake_case keys as pandas users
/// expect, NaN/Infinity spelled out rather than refused, indented, non-ASCII text as is.</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
        NewLine = Platform.TextOutput.NewLine, // .NET's default is "\r\n" on Windows
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
