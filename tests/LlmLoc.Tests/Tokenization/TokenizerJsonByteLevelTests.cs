using System.Text.Json;
using System.Text.Json.Nodes;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tokenization;
using static LlmLoc.Tests.Tokenization.TokenizerFixtures;

namespace LlmLoc.Tests.Tokenization;

/// <summary>
/// The byte-level tokenizer.json path (GPT-2 / Llama-3 / Falcon layout) on a GPT-2 tokenizer.json assembled from
/// the same vocab.json + merges.txt, the way the fixture README's cross-check did: it must give the slow GPT-2 ids.
/// </summary>
public class TokenizerJsonByteLevelTests
{
    static readonly Lazy<HfTokenizer> Gpt2Json = new(() =>
    {
        using var dir = new TempDir();
        var vocab = JsonNode.Parse(File.ReadAllText(Shared.Path_("tokenizers", "gpt2", "vocab.json")));
        var merges = new JsonArray(File.ReadLines(Shared.Path_("tokenizers", "gpt2", "merges.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith("#version")).Select(l => (JsonNode)JsonValue.Create(l)).ToArray());
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = 50256, ["content"] = "<|endoftext|>", ["special"] = true }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject { ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["vocab"] = vocab, ["merges"] = merges },
        };
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        File.WriteAllText(dir.File("tokenizer_config.json"), """{"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "model_max_length": 1024}""");
        return HfTokenizer.FromFolder(dir.Path);
    });

    [Theory, InlineData("language"), InlineData("tom"), InlineData("md"), InlineData("tricky")]
    public void Ids_equal_the_slow_gpt2(string set) =>
        Assert.Empty(Mismatches(Entries("gpt2", set), e => (Ints(e["ids"]), Gpt2Json.Value.Encode((string)e["text"]!))));

    [Fact]
    public void Decode_and_specials_equal_the_slow_gpt2()
    {
        Assert.Empty(Mismatches(Entries("gpt2", "tricky"), e => ((string)e["decode"]!, Gpt2Json.Value.Decode(Ints(e["ids"])))));
        Assert.Equal(50256, Gpt2Json.Value.PadTokenId);
        Assert.Equal([19052], Gpt2Json.Value.Encode("before<|endoftext|>after", maxLength: 1));
    }

    [Fact]
    public void Llama3_style_split_then_byte_level_with_template_bos()
    {
        // Sequence[Split(regex, Isolated), ByteLevel(use_regex=false)] + TemplateProcessing BOS + ignore_merges.
        using var dir = new TempDir();
        var vocab = new JsonObject();
        string[] tokens = ["a", "b", "Ġ", "1", "2", "3", "4", "ab", "Ġa", "Ġab", "12", "123", "<|begin|>"];
        for (int i = 0; i < tokens.Length; i++) vocab[tokens[i]] = i;
        var json = new JsonObject
        {
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = 12, ["content"] = "<|begin|>", ["special"] = true }),
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = @"\p{N}{1,3}| ?\p{L}+|\s+" }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|begin|>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["special_tokens"] = new JsonObject { ["<|begin|>"] = new JsonObject { ["id"] = "<|begin|>", ["ids"] = new JsonArray(12), ["tokens"] = new JsonArray("<|begin|>") } },
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["ignore_merges"] = true, ["vocab"] = vocab,
                ["merges"] = new JsonArray(new JsonArray("a", "b"), new JsonArray("Ġ", "a"), new JsonArray("Ġa", "b"), new JsonArray("1", "2"), new JsonArray("12", "3")),
            },
        };
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        var t = HfTokenizer.FromFolder(dir.Path);
        // "ab ab 12341": pieces ab | " ab" | " " | 123 | 41 → ab, Ġab, Ġ, 123, 4, 1
        Assert.Equal([12, 7, 9, 2, 11, 6, 3], t.Encode("ab ab 12341"));
        Assert.Equal([12, 7, 9], t.Encode("ab ab 12341", maxLength: 3));
        Assert.Equal("ab ab 12341", t.Decode(t.Encode("ab ab 12341"), skipSpecialTokens: true));
        Assert.Null(t.BosTokenId); // no tokenizer_config.json: HF has no bos_token either
    }
}
