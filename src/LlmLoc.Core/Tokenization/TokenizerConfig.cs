using System.Text.Json;
using System.Text.Json.Nodes;
using LlmLoc.IO;

namespace LlmLoc.Tokenization;

/// <summary>
/// What transformers reads from tokenizer_config.json and special_tokens_map.json (the latter wins, as in
/// from_pretrained). Token fields may be strings or {"content": ...} objects.
/// </summary>
internal sealed class TokenizerConfig
{
    public bool? AddBosToken { get; private init; }
    public bool? AddEosToken { get; private init; }
    public string? BosToken { get; private init; }
    public string? EosToken { get; private init; }
    public string? UnkToken { get; private init; }
    public string? PadToken { get; private init; }
    public IReadOnlyList<string> AdditionalSpecialTokens { get; private init; } = [];
    public IReadOnlyList<AddedToken> AddedTokensDecoder { get; private init; } = [];
    public long? ModelMaxLength { get; private init; }
    public bool? CleanUpTokenizationSpaces { get; private init; }
    public string? TokenizerClass { get; private init; }
    public bool? Legacy { get; private init; }

    public static TokenizerConfig Load(string folder)
    {
        const string fix = "fix or re-download it";
        var config = JsonSettings.ReadObject(Path.Combine(folder, "tokenizer_config.json"), required: false, fix) ?? new JsonObject();
        var map = JsonSettings.ReadObject(Path.Combine(folder, "special_tokens_map.json"), required: false, fix);
        if (map is not null)
            foreach (var (key, value) in map) config[key] = value?.DeepClone();

        var added = new List<AddedToken>();
        if (config["added_tokens_decoder"] is JsonObject decoder)
            foreach (var (key, value) in decoder)
            {
                if (!int.TryParse(key, out var id) || value is not JsonObject t || TokenText(t) is not { } content)
                    throw new LlmLocException($"tokenizer_config.json: malformed added_tokens_decoder entry \"{key}\"; fix or remove the entry.");
                added.Add(new AddedToken(id, content, Bool(t, "special") ?? false, Bool(t, "lstrip") ?? false,
                    Bool(t, "rstrip") ?? false, Bool(t, "single_word") ?? false));
            }

        return new TokenizerConfig
        {
            AddBosToken = Bool(config, "add_bos_token"),
            AddEosToken = Bool(config, "add_eos_token"),
            BosToken = TokenText(config["bos_token"]),
            EosToken = TokenText(config["eos_token"]),
            UnkToken = TokenText(config["unk_token"]),
            PadToken = TokenText(config["pad_token"]),
            AdditionalSpecialTokens = config["additional_special_tokens"] is JsonArray extra
                ? extra.Select(TokenText).OfType<string>().ToList() : [],
            AddedTokensDecoder = added,
            ModelMaxLength = config["model_max_length"] is JsonValue v && v.TryGetValue<double>(out var d) && d < long.MaxValue ? (long)d : null,
            CleanUpTokenizationSpaces = Bool(config, "clean_up_tokenization_spaces"),
            TokenizerClass = config["tokenizer_class"]?.GetValueKind() == JsonValueKind.String ? (string?)config["tokenizer_class"] : null,
            Legacy = Bool(config, "legacy"),
        };
    }

    /// <summary>The Llama-family tokenizer classes whose add_bos_token/add_eos_token replace tokenizer.json's post-processor.</summary>
    public bool IsLlamaFamilyClass => TokenizerClass is { } c && (c.Contains("Llama", StringComparison.Ordinal) || c.StartsWith("Gemma", StringComparison.Ordinal));

    /// <summary>
    /// GPTNeoXTokenizer(Fast) (Pythia, OLMo) also rebuilds the post-processor from add_bos_token/add_eos_token, both
    /// false by default, with bos/eos/unk defaulting to &lt;|endoftext|&gt;.
    /// </summary>
    public bool IsGptNeoXClass => TokenizerClass is { } c && c.StartsWith("GPTNeoXTokenizer", StringComparison.Ordinal);

    internal static string? TokenText(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => (string?)v,
        JsonObject o => TokenText(o["content"]),
        _ => null,
    };

    static bool? Bool(JsonObject o, string key) => o[key] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? (bool)v : null;
}
