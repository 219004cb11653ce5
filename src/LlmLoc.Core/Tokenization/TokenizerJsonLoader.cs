using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlmLoc.Tokenization;

/// <summary>What a tokenizer.json describes, translated into this library's parts.</summary>
internal sealed record TokenizerJsonParts(
    ISegmentModel Model, TextNormalizer? Normalizer, TokenDecoder Decoder, IReadOnlyList<AddedToken> AddedTokens,
    IReadOnlyList<int> PrefixIds, IReadOnlyList<int> SuffixIds);

/// <summary>
/// Reads HF tokenizers' tokenizer.json (ML.Tokenizers has no loader for it). Supported: model BPE, either
/// byte-level (ByteLevel pre-tokenizer; GPT-2, Llama-3, Falcon) or "▁"-escaped with byte fallback
/// (Llama-2, Mistral). Anything else is refused with a one-line error rather than tokenized differently.
/// </summary>
internal static class TokenizerJsonLoader
{
    public static TokenizerJsonParts Load(string path)
    {
        JsonObject root;
        try { root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object"); IO.JsonStrings.Check(root); }
        catch (JsonException e) { throw new LlmLocException($"{path} is not valid JSON ({e.Message}); re-download it.", ExitCodes.InputError, e); }

        var model = root["model"] as JsonObject ?? throw Unsupported(path, "no \"model\" section");
        var modelType = (string?)model["type"] ?? (model["merges"] is not null ? "BPE" : "unknown");
        if (modelType != "BPE") throw Unsupported(path, $"model type {modelType} (only BPE is supported)");
        if (model["continuing_subword_prefix"] is JsonValue csp && ((string?)csp)?.Length > 0) throw Unsupported(path, "BPE continuing_subword_prefix");
        if (model["end_of_word_suffix"] is JsonValue ews && ((string?)ews)?.Length > 0) throw Unsupported(path, "BPE end_of_word_suffix");
        if (model["dropout"] is JsonValue dv && dv.GetValueKind() == JsonValueKind.Number && (double)dv > 0) throw Unsupported(path, "BPE dropout");

        var vocab = (model["vocab"] as JsonObject ?? throw Unsupported(path, "BPE without a vocab"))
            .ToDictionary(kv => kv.Key, kv => (int)kv.Value!);
        var merges = ReadMerges(model["merges"] as JsonArray ?? []);
        bool ignoreMerges = Bool(model["ignore_merges"]);

        var normalizer = ParseNormalizer(path, root["normalizer"]);
        var preTokenizer = root["pre_tokenizer"] as JsonObject;
        bool byteLevel = FindByType(preTokenizer, "ByteLevel") is not null;

        ISegmentModel segmentModel;
        if (byteLevel)
        {
            var (splitter, addPrefixSpace) = ParseByteLevelPreTokenizer(path, preTokenizer!);
            segmentModel = new ByteLevelBpeModel(vocab, merges.Select(m => m.Left + " " + m.Right), splitter, ignoreMerges, addPrefixSpace);
        }
        else
        {
            if (Bool(model["byte_fallback"]) is false && (string?)model["unk_token"] is null && preTokenizer is null && normalizer is null)
                throw Unsupported(path, "BPE without byte-level, byte fallback, unk token or normalizer");
            segmentModel = new MergeBpeModel(vocab, merges, (string?)model["unk_token"], Bool(model["fuse_unk"]),
                Bool(model["byte_fallback"]), ignoreMerges, ParseMetaspacePreTokenizer(path, preTokenizer));
        }

        var added = new List<AddedToken>();
        foreach (var t in root["added_tokens"] as JsonArray ?? [])
        {
            if (t is not JsonObject o || (string?)o["content"] is not { } content) continue;
            added.Add(new AddedToken((int)o["id"]!, content, Bool(o["special"]), Bool(o["lstrip"]), Bool(o["rstrip"]), Bool(o["single_word"])));
        }

        var tokenIds = added.GroupBy(a => a.Content).ToDictionary(g => g.Key, g => g.First().Id);
        foreach (var (token, id) in vocab) tokenIds.TryAdd(token, id);
        var (prefix, suffix) = ParsePostProcessor(path, root["post_processor"] as JsonObject, tokenIds);

        var decoder = ParseDecoder(path, root["decoder"] as JsonObject) ?? (byteLevel ? new TokenDecoder.ByteLevel() : new TokenDecoder.Fuse());
        return new TokenizerJsonParts(segmentModel, normalizer, decoder, added, prefix, suffix);
    }

    static List<(string Left, string Right)> ReadMerges(JsonArray merges) => merges.Select(m => m switch
    {
        JsonArray pair when pair.Count == 2 => ((string)pair[0]!, (string)pair[1]!),
        JsonValue v when ((string)v!).IndexOf(' ') is var i and > 0 => (((string)v!)[..i], ((string)v!)[(i + 1)..]),
        _ => throw new LlmLocException($"tokenizer.json: malformed merge entry {m?.ToJsonString()}; re-download the file."),
    }).ToList();

    static TextNormalizer? ParseNormalizer(string path, JsonNode? node)
    {
        if (node is not JsonObject o) return null;
        var type = (string?)o["type"];
        return type switch
        {
            "Sequence" => new TextNormalizer.Sequence((o["normalizers"] as JsonArray ?? []).Select(n => ParseNormalizer(path, n)).OfType<TextNormalizer>().ToList()),
            "Prepend" => new TextNormalizer.Prepend((string)o["prepend"]!),
            "Replace" when o["pattern"]?["String"] is JsonValue s => new TextNormalizer.Replace((string)s!, (string)o["content"]!),
            "NFC" => new TextNormalizer.UnicodeForm(NormalizationForm.FormC),
            "NFD" => new TextNormalizer.UnicodeForm(NormalizationForm.FormD),
            "NFKC" => new TextNormalizer.UnicodeForm(NormalizationForm.FormKC),
            "NFKD" => new TextNormalizer.UnicodeForm(NormalizationForm.FormKD),
            "Lowercase" => new TextNormalizer.Lowercase(),
            _ => throw Unsupported(path, $"normalizer {type}{(type == "Replace" ? " with a regex pattern" : "")}"),
        };
    }

    /// <summary>Byte-level pre-tokenizers: ByteLevel alone or in a Sequence with Split / Punctuation / Digits.</summary>
    static (SplitPreTokenizer Splitter, bool AddPrefixSpace) ParseByteLevelPreTokenizer(string path, JsonObject node)
    {
        var steps = new List<SplitStep>();
        bool addPrefixSpace = false;
        var items = (string?)node["type"] == "Sequence" ? (node["pretokenizers"] as JsonArray ?? []).OfType<JsonObject>().ToList() : [node];
        foreach (var p in items)
        {
            var type = (string?)p["type"];
            switch (type)
            {
                case "ByteLevel":
                    if (!p.ContainsKey("use_regex") || Bool(p["use_regex"]))
                        steps.Add(SplitPreTokenizer.Gpt2.Steps[0]);
                    addPrefixSpace = Bool(p["add_prefix_space"]);
                    if (addPrefixSpace && steps.Count > 1) throw Unsupported(path, "ByteLevel add_prefix_space after other pre-tokenizers");
                    break;
                case "Split":
                    steps.Add(new SplitStep(SplitPattern(path, p["pattern"] as JsonObject), Behavior(path, p["behavior"]), Bool(p["invert"])));
                    break;
                case "Punctuation":
                    steps.Add(new SplitStep(NewRegex(path, @"[\p{P}!-/:-@\[-`{-~]"), Behavior(path, p["behavior"] ?? "Isolated")));
                    break;
                case "Digits":
                    steps.Add(new SplitStep(NewRegex(path, Bool(p["individual_digits"]) ? @"\p{N}" : @"\p{N}+"), SplitBehavior.Isolated));
                    break;
                default:
                    throw Unsupported(path, $"pre-tokenizer {type} together with ByteLevel");
            }
        }
        return (new SplitPreTokenizer(steps), addPrefixSpace);
    }

    static MetaspaceOptions? ParseMetaspacePreTokenizer(string path, JsonObject? node)
    {
        if (node is null) return null;
        if ((string?)node["type"] != "Metaspace") throw Unsupported(path, $"pre-tokenizer {(string?)node["type"]} for a non-byte-level BPE");
        var replacement = ((string?)node["replacement"] ?? "▁");
        var scheme = (string?)node["prepend_scheme"] ?? (node["add_prefix_space"] is null || Bool(node["add_prefix_space"]) ? "always" : "never");
        if (replacement.Length != 1 || scheme is not ("always" or "first" or "never"))
            throw Unsupported(path, $"Metaspace replacement \"{replacement}\" / prepend_scheme {scheme}");
        return new MetaspaceOptions(replacement[0], scheme, node["split"] is null || Bool(node["split"]));
    }

    static TokenDecoder? ParseDecoder(string path, JsonObject? node)
    {
        if (node is null) return null;
        var type = (string?)node["type"];
        return type switch
        {
            "Sequence" => new TokenDecoder.Sequence((node["decoders"] as JsonArray ?? []).OfType<JsonObject>().Select(d => ParseDecoder(path, d)!).ToList()),
            "ByteLevel" => new TokenDecoder.ByteLevel(),
            "Replace" when node["pattern"]?["String"] is JsonValue s => new TokenDecoder.Replace((string)s!, (string)node["content"]!),
            "ByteFallback" => new TokenDecoder.ByteFallback(),
            "Fuse" => new TokenDecoder.Fuse(),
            "Strip" when ((string?)node["content"])?.Length == 1 =>
                new TokenDecoder.Strip(((string)node["content"]!)[0], (int)node["start"]!, (int)node["stop"]!),
            "Metaspace" => new TokenDecoder.Metaspace(((string?)node["replacement"] ?? "▁")[0],
                ((string?)node["prepend_scheme"] ?? (node["add_prefix_space"] is null || Bool(node["add_prefix_space"]) ? "always" : "never")) != "never"),
            _ => throw Unsupported(path, $"decoder {type}"),
        };
    }

    /// <summary>Ids a post-processor puts before / after a single sequence (TemplateProcessing; ByteLevel adds none).</summary>
    static (List<int> Prefix, List<int> Suffix) ParsePostProcessor(string path, JsonObject? node, Dictionary<string, int> tokenIds)
    {
        var prefix = new List<int>();
        var suffix = new List<int>();
        if (node is null) return (prefix, suffix);
        var type = (string?)node["type"];
        switch (type)
        {
            case "ByteLevel":
                break;
            case "Sequence":
                foreach (var p in (node["processors"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var (pre, suf) = ParsePostProcessor(path, p, tokenIds);
                    prefix.AddRange(pre);
                    suffix.AddRange(suf);
                }
                break;
            case "TemplateProcessing":
                bool seenSequence = false;
                foreach (var piece in (node["single"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (piece["Sequence"] is not null) { seenSequence = true; continue; }
                    var name = (string?)piece["SpecialToken"]?["id"] ?? throw Unsupported(path, "TemplateProcessing piece " + piece.ToJsonString());
                    var ids = node["special_tokens"]?[name]?["ids"] is JsonArray a ? a.Select(x => (int)x!).ToList()
                        : tokenIds.TryGetValue(name, out var id) ? [id] : throw Unsupported(path, $"TemplateProcessing special token {name} without an id");
                    (seenSequence ? suffix : prefix).AddRange(ids);
                }
                break;
            default:
                throw Unsupported(path, $"post-processor {type}");
        }
        return (prefix, suffix);
    }

    static Regex SplitPattern(string path, JsonObject? pattern) => pattern switch
    {
        { } p when p["String"] is JsonValue s => NewRegex(path, Regex.Escape((string)s!)),
        { } p when p["Regex"] is JsonValue r => NewRegex(path, (string)r!),
        _ => throw Unsupported(path, "Split pre-tokenizer without a pattern"),
    };

    static Regex NewRegex(string path, string pattern)
    {
        try { return new Regex(pattern, RegexOptions.CultureInvariant); }
        catch (ArgumentException) { throw Unsupported(path, $"regex {pattern} (not expressible in .NET)"); }
    }

    static SplitBehavior Behavior(string path, JsonNode? node) => (string?)node switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        var b => throw Unsupported(path, $"split behavior {b}"),
    };

    static JsonObject? FindByType(JsonObject? node, string type)
    {
        if (node is null) return null;
        if ((string?)node["type"] == type) return node;
        return (node["pretokenizers"] as JsonArray)?.OfType<JsonObject>().Select(n => FindByType(n, type)).FirstOrDefault(n => n is not null);
    }

    static bool Bool(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    static LlmLocException Unsupported(string path, string what) =>
        new($"{path}: unsupported tokenizer ({what}); llmloc handles BPE tokenizers (byte-level like GPT-2/Llama-3, or SentencePiece-style like Llama-2/Mistral).", ExitCodes.RuntimeError);
}
