using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmLoc.Models;

/// <summary>config.json of a checkpoint: the common sizes plus typed access to every other field.</summary>
public sealed class ModelConfig
{
    public required string ModelType { get; init; }
    public required int NumLayers { get; init; }
    public required int HiddenSize { get; init; }
    public required int VocabSize { get; init; }
    public int? BosTokenId { get; init; }
    public int? EosTokenId { get; init; }
    public int? PadTokenId { get; init; }
    public JsonObject Raw { get; init; } = new();

    /// <summary>Reads and parses <c>config.json</c> in <paramref name="folder"/>.</summary>
    public static ModelConfig Load(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path))
            throw new LlmLocException($"no config.json in model folder '{folder}'; pass a Hugging Face model folder (config.json + model.safetensors)");
        return Parse(File.ReadAllText(path), path);
    }

    public static ModelConfig Parse(string json, string source = "config.json")
    {
        JsonObject raw;
        try { raw = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (JsonException e) { throw new LlmLocException($"{source} is not valid JSON ({e.Message}); restore the file from the model's original download"); }
        var type = raw["model_type"] switch
            {
                null => null,
                JsonValue v when v.TryGetValue(out string? text) => text,
                var other => throw WrongValue(null, "model_type", other, "a string such as \"gpt2\" or \"llama\""),
            } ?? throw new LlmLocException($"{source} has no model_type; use a config.json written by transformers");
        ModelRegistry.Get(type);
        // GPT-2 names its sizes n_layer / n_embd; every other family uses the long names.
        bool gpt2 = type == "gpt2";
        var probe = new ModelConfig { ModelType = type, NumLayers = 0, HiddenSize = 0, VocabSize = 0, Raw = raw };
        return new ModelConfig
        {
            ModelType = type,
            NumLayers = probe.Int(gpt2 ? "n_layer" : "num_hidden_layers"),
            HiddenSize = probe.Int(gpt2 ? "n_embd" : "hidden_size"),
            VocabSize = probe.Int("vocab_size"),
            BosTokenId = probe.FirstIdOrNull("bos_token_id"),
            EosTokenId = probe.FirstIdOrNull("eos_token_id"),
            PadTokenId = probe.FirstIdOrNull("pad_token_id"),
            Raw = raw,
        };
    }

    public int Int(string key) => IntOrNull(key)
        ?? throw new LlmLocException($"config.json of this {ModelType} model lacks '{key}'; use a config.json written by transformers");

    public int Int(string key, int fallback) => IntOrNull(key) ?? fallback;

    /// <summary>A size (layers, heads, widths, positions): a whole JSON number ≥ 1, else a one-line error naming the key.</summary>
    public int? IntOrNull(string key) => Raw[key] is null ? null
        : WholeNumber(key, Raw[key]) is var n and >= 1 ? n
        : throw WrongValue(key, "a positive whole number");

    public double Double(string key, double fallback) => Raw[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue(out double d) && double.IsFinite(d) => d,
        _ => throw WrongValue(key, "a number"),
    };

    /// <summary>The number, or null when the key is absent or null.</summary>
    public double? DoubleOrNull(string key) => Raw[key] is null ? null : Double(key, double.NaN);

    /// <summary>
    /// For settings whose transformers default is on but that null switches off (Gemma 2's soft-capping):
    /// <paramref name="whenAbsent"/> if the key is missing, null if it is null, else its value.
    /// </summary>
    public double? DoubleOrNull(string key, double whenAbsent) => Raw.ContainsKey(key) ? DoubleOrNull(key) : whenAbsent;

    public bool Bool(string key, bool fallback) => Raw[key] switch
    {
        null => fallback,
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

    LlmLocException WrongValue(string key, string expected) => WrongValue(ModelType, key, Raw[key], expected);

    static LlmLocException WrongValue(string? modelType, string key, JsonNode? value, string expected) =>
        new($"config.json{(modelType is null ? "" : $" of this {modelType} model")} has '{key}': {value?.ToJsonString() ?? "null"}, expected {expected}; " +
            "restore config.json from the model's original download");

    int WholeNumber(string key, JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue
            ? (int)d
            : throw WrongValue(key, "a whole number");

    /// <summary>eos_token_id may be a list (Llama 3): the first entry stands for it. A negative id (old Llama configs
    /// write pad_token_id -1) means none.</summary>
    int? FirstIdOrNull(string key) => Raw[key] switch
    {
        null => null,
        JsonArray { Count: 0 } => null,
        JsonArray a => WholeNumber(key, a[0]) is var id and >= 0 ? id : null,
        var value => WholeNumber(key, value) is var id and >= 0 ? id : null,
    };
}
