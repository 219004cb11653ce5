using System.Text.Json;

namespace LlmLoc.Tests.Lesion;

/// <summary>Runs <c>llmloc generate-lesion</c> in-process and reads the generation fixtures.</summary>
internal static class LesionCli
{
    public sealed record Expected(long[] Prompt, int MaxLength, long[] Greedy, long[] LesionGreedy);

    public static string ModelFolder(string name) => Shared.Fixture("models", name);
    public static string FixtureMask(string name) => Path.Combine(ModelFolder(name), "lesion_mask.npy");

    public static CliRunner.Result Run(params string[] args) => CliRunner.Run(["generate-lesion", .. args]);

    /// <summary>The gpt2 fixture with the original's prompt; extra flags appended.</summary>
    public static CliRunner.Result Gpt2(params string[] args) =>
        Run(["--model-name", ModelFolder("gpt2"), "--prompt", "The quick brown fox", "--percentage", "1", .. args]);

    public static Expected ReadExpected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelFolder(name), "generate.json")));
        var r = doc.RootElement;
        long[] Ids(string key) => r.GetProperty(key).EnumerateArray().Select(v => v.GetInt64()).ToArray();
        return new Expected(Ids("prompt_ids"), r.GetProperty("max_length").GetInt32(), Ids("greedy_ids"), Ids("lesion_greedy_ids"));
    }

    public static string Decode(string model, long[] ids) =>
        LlmLoc.Tokenization.HfTokenizer.FromFolder(ModelFolder(model)).Decode(ids.Select(i => (int)i), skipSpecialTokens: true);
}
