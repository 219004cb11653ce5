using System.Text.Json.Nodes;
using LlmLoc.IO;

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

    const string Fix = "restore config.json from the model's original download";

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
        var raw = JsonSettings.ParseObject(json, source, Fix);
        var type = new JsonSettings(raw, "config.json", Fix).String("model_type")
            ?? throw new LlmLocException($"{source} has no model_type; use a config.json written by transformers");
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

    /// <summary>Typed reads with errors naming this config and the key.</summary>
    public JsonSettings Settings => new(Raw, $"config.json of this {ModelType} model", Fix);

    public int Int(string key) => IntOrNull(key)
        ?? throw new LlmLocException($"config.json of this {ModelType} model lacks '{key}'; use a config.json written by transformers");

    public int Int(string key, int fallback) => IntOrNull(key) ?? fallback;

    /// <summary>A size (layers, heads, widths, positions): a whole JSON number ≥ 1, else a one-line error naming the key.</summary>
    public int? IntOrNull(string key) => Settings.WholeNumber(key) switch
    {
        null => null,
        >= 1 and var n => n,
        _ => throw Settings.WrongValue(key, "a positive whole number"),
    };

    public double Double(string key, double fallback) => Settings.Number(key) ?? fallback;

    /// <summary>The number, or null when the key is absent or null.</summary>
    public double? DoubleOrNull(string key) => Settings.Number(key);

    /// <summary>
    /// For settings whose transformers default is on but that null switches off (Gemma 2's soft-capping):
    /// <paramref name="whenAbsent"/> if the key is missing, null if it is null, else its value.
    /// </summary>
    public double? DoubleOrNull(string key, double whenAbsent) => Raw.ContainsKey(key) ? DoubleOrNull(key) : whenAbsent;

    public bool Bool(string key, bool fallback) => Settings.Bool(key) ?? fallback;

    public string? String(string key) => Settings.String(key);

    public JsonObject? Object(string key) => Settings.Object(key);

    /// <summary>eos_token_id may be a list (Llama 3): the first entry stands for it. A negative id (old Llama configs
    /// write pad_token_id -1) means none.</summary>
    int? FirstIdOrNull(string key) => Settings.WholeNumbers(key) is [var id, ..] && id >= 0 ? id : null;
}
