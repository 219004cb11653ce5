using System.Text;
using System.Text.Json.Nodes;

namespace LlmLoc.Tests.Infrastructure;

/// <summary>
/// Writes tokenizer.json + tokenizer_config.json in the shapes the later families ship (the pipeline parts as HF
/// tokenizers serializes them; vocabularies and merges are the caller's):
/// GPT-NeoX (Pythia, OLMo): NFC, ByteLevel pre-tokenizer with GPT-2's regex, ByteLevel post-processor/decoder,
/// GPTNeoXTokenizer; Qwen2: NFC, Split(Qwen's regex, Isolated) then ByteLevel without regex, Qwen2Tokenizer, no BOS;
/// Gemma 2: Replace(" " → "▁") with no pre-tokenizer and no dummy prefix, BPE with byte fallback and unk, template
/// post-processor "&lt;bos&gt; $A", decoder Replace/ByteFallback/Fuse, GemmaTokenizer.
/// </summary>
internal static class FamilyTokenizerFiles
{
    /// <summary>Qwen2's pre-tokenizer regex (transformers' Qwen2Converter): single digits, letters with one leading non-letter.</summary>
    public const string QwenRegex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public sealed record Added(int Id, string Content, bool Special);

    public static void Write(string folder, string shape, IReadOnlyDictionary<string, int> vocab, IEnumerable<(string, string)> merges,
        IEnumerable<Added> added, JsonObject? extraConfig = null)
    {
        Directory.CreateDirectory(folder);
        var model = new JsonObject
        {
            ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = shape == "gemma2" ? "<unk>" : null,
            ["continuing_subword_prefix"] = shape == "qwen2" ? "" : null, ["end_of_word_suffix"] = shape == "qwen2" ? "" : null,
            ["fuse_unk"] = shape == "gemma2", ["byte_fallback"] = shape == "gemma2", ["ignore_merges"] = false,
            ["vocab"] = new JsonObject(vocab.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m.Item1, m.Item2)).ToArray()),
        };
        JsonObject ByteLevel(bool useRegex) => new() { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = useRegex };
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(added.Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Id, ["content"] = a.Content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = !a.Special, ["special"] = a.Special,
            }).ToArray()),
        };
        switch (shape)
        {
            case "gpt_neox":
                json["normalizer"] = new JsonObject { ["type"] = "NFC" };
                json["pre_tokenizer"] = ByteLevel(useRegex: true);
                json["post_processor"] = ByteLevel(useRegex: true);
                json["decoder"] = ByteLevel(useRegex: true);
                break;
            case "qwen2":
                json["normalizer"] = new JsonObject { ["type"] = "NFC" };
                json["pre_tokenizer"] = new JsonObject
                {
                    ["type"] = "Sequence",
                    ["pretokenizers"] = new JsonArray(
                        new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = QwenRegex }, ["behavior"] = "Isolated", ["invert"] = false },
                        ByteLevel(useRegex: false)),
                };
                json["post_processor"] = ByteLevel(useRegex: false);
                json["decoder"] = ByteLevel(useRegex: false);
                break;
            case "gemma2":
                json["normalizer"] = new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" };
                json["pre_tokenizer"] = null;
                json["post_processor"] = new JsonObject
                {
                    ["type"] = "TemplateProcessing",
                    ["single"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<bos>", ["type_id"] = 0 } },
                        new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                    ["special_tokens"] = new JsonObject { ["<bos>"] = new JsonObject { ["id"] = "<bos>", ["ids"] = new JsonArray(2), ["tokens"] = new JsonArray("<bos>") } },
                };
                json["decoder"] = new JsonObject
                {
                    ["type"] = "Sequence",
                    ["decoders"] = new JsonArray(
                        new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                        new JsonObject { ["type"] = "ByteFallback" }, new JsonObject { ["type"] = "Fuse" }),
                };
                break;
            default: throw new ArgumentException(shape);
        }
        json["model"] = model;
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), json.ToJsonString());

        var config = shape switch
        {
            "gpt_neox" => new JsonObject { ["tokenizer_class"] = "GPTNeoXTokenizer", ["bos_token"] = "<|endoftext|>", ["eos_token"] = "<|endoftext|>", ["unk_token"] = "<|endoftext|>", ["add_prefix_space"] = false },
            "qwen2" => new JsonObject { ["tokenizer_class"] = "Qwen2Tokenizer", ["bos_token"] = null, ["eos_token"] = "<|endoftext|>", ["pad_token"] = "<|endoftext|>", ["unk_token"] = null, ["clean_up_tokenization_spaces"] = false },
            _ => new JsonObject { ["tokenizer_class"] = "GemmaTokenizer", ["bos_token"] = "<bos>", ["eos_token"] = "<eos>", ["pad_token"] = "<pad>", ["unk_token"] = "<unk>", ["add_bos_token"] = true, ["add_eos_token"] = false },
        };
        foreach (var (k, v) in extraConfig ?? []) config[k] = v?.DeepClone();
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString());
    }

    /// <summary>GPT-2's printable stand-in for each byte (byte-level BPE's alphabet), in byte order.</summary>
    public static string[] ByteLevelAlphabet()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        int extra = 0;
        return Enumerable.Range(0, 256).Select(b => new Rune(printable.Contains(b) ? b : 256 + extra++).ToString()).ToArray();
    }

    /// <summary>
    /// A whole-byte tokenizer of the family's shape (no merges): every text encodes, all ids below 300, so it fits
    /// the models-more checkpoints (vocab 512). GPT-NeoX/Qwen2: specials first, then the 256 byte symbols;
    /// Gemma 2: &lt;pad&gt; &lt;eos&gt; &lt;bos&gt; &lt;unk&gt; then &lt;0x00&gt;…&lt;0xFF&gt;, so everything goes through byte fallback.
    /// </summary>
    public static void WriteByteTokenizer(string folder, string shape)
    {
        var vocab = new Dictionary<string, int>();
        var added = new List<Added>();
        if (shape == "gemma2")
        {
            foreach (var s in new[] { "<pad>", "<eos>", "<bos>", "<unk>" }) { added.Add(new Added(vocab.Count, s, true)); vocab[s] = vocab.Count; }
            for (int b = 0; b < 256; b++) vocab[$"<0x{b:X2}>"] = vocab.Count;
        }
        else
        {
            foreach (var s in new[] { "<|endoftext|>", "<|padding|>" }) { added.Add(new Added(vocab.Count, s, true)); vocab[s] = vocab.Count; }
            foreach (var symbol in ByteLevelAlphabet()) vocab[symbol] = vocab.Count;
        }
        Write(folder, shape, vocab, [], added);
    }
}
