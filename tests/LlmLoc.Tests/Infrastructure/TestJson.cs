using System.Text.Json;

namespace LlmLoc.Tests.Infrastructure;

/// <summary>Reads back a JSON result llmloc wrote, with the options it writes them with.</summary>
static class TestJson
{
    public static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), LlmLoc.IO.JsonOutput.Options) ?? throw new InvalidDataException($"{path} is empty");
}
