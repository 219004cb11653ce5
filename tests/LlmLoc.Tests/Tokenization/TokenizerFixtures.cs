using System.Text.Json.Nodes;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tokenization;

namespace LlmLoc.Tests.Tokenization;

/// <summary>Reads shared/fixtures/tokenizers/{gpt2,mistral}/*.json (HF reference ids) and caches the tokenizers under test.</summary>
internal static class TokenizerFixtures
{
    static readonly Lazy<HfTokenizer> Gpt2Lazy = new(() => HfTokenizer.FromFolder(Shared.Fixture("models", "gpt2")));
    static readonly Lazy<HfTokenizer> Gpt2EmbeddedLazy = new(HfTokenizer.Gpt2Embedded);
    static readonly Lazy<HfTokenizer> MistralLazy = new(() => HfTokenizer.FromFolder(Shared.Path_("tokenizers", "mistral")));

    /// <summary>The tiny GPT-2 fixture model folder (real vocab.json / merges.txt, model_max_length 1024).</summary>
    public static HfTokenizer Gpt2 => Gpt2Lazy.Value;
    public static HfTokenizer Gpt2Embedded => Gpt2EmbeddedLazy.Value;
    public static HfTokenizer Mistral => MistralLazy.Value;

    public static JsonNode Load(string family, string name) =>
        JsonNode.Parse(File.ReadAllText(Shared.Fixture("tokenizers", family, name + ".json")))!;

    /// <summary>All {text, ...} entries of language/tom/md (positive then negative).</summary>
    public static IEnumerable<JsonObject> Entries(string family, string name)
    {
        var root = Load(family, name);
        return root is JsonArray list ? list.OfType<JsonObject>()
            : new[] { "positive", "negative" }.SelectMany(k => root[k]!.AsArray().OfType<JsonObject>());
    }

    public static int[] Ints(JsonNode? node) => node!.AsArray().Select(x => (int)x!).ToArray();

    /// <summary>Collects every mismatch so one failing assertion lists them all.</summary>
    public static List<string> Mismatches(IEnumerable<JsonObject> entries, Func<JsonObject, (object expected, object actual)> check)
    {
        var bad = new List<string>();
        foreach (var e in entries)
        {
            var (expected, actual) = check(e);
            bool equal = expected is int[] a && actual is IEnumerable<int> b ? a.SequenceEqual(b) : Equals(expected, actual);
            if (!equal)
                bad.Add($"{(string?)e["text"]}: expected {Show(expected)}, got {Show(actual)}");
        }
        return bad;
    }

    /// <summary>
    /// Wall-clock time of encoding every text with truncation 12: the best of three passes after a first cold
    /// one (the build machine is shared, so a single pass mostly measures other processes).
    /// </summary>
    static string Show(object o) => o is IEnumerable<int> ids ? "[" + string.Join(", ", ids) + "]" : $"\"{o}\"";
}
