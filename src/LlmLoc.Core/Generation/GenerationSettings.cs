using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmLoc.Generation;

/// <summary>
/// The subset of transformers' GenerationConfig that generate_lesion.py relies on. Property defaults are
/// transformers 4.44's; <see cref="FromModelFolder"/> layers the model folder's generation_config.json and the
/// caller's explicit values on top, in the order <c>model.generate(**kwargs)</c> does.
/// </summary>
public sealed record GenerationSettings
{
    /// <summary>generate_lesion.py samples with <c>do_sample=True, temperature=0.7</c>.</summary>
    public const double LesionScriptTemperature = 0.7;

    /// <summary>Total length INCLUDING the prompt (transformers' <c>max_length</c>).</summary>
    public int MaxLength { get; init; } = 20;
    public bool DoSample { get; init; }
    public double Temperature { get; init; } = 1.0;
    /// <summary>0 disables top-k.</summary>
    public int TopK { get; init; } = 50;
    /// <summary>1.0 disables top-p.</summary>
    public double TopP { get; init; } = 1.0;
    public int NumReturnSequences { get; init; } = 1;
    /// <summary>Seeds the sampling generator (the original samples unseeded; llmloc is reproducible).</summary>
    public long Seed { get; init; }
    /// <summary>A sequence is finished once it emits any of these. Empty: only MaxLength stops generation.</summary>
    public IReadOnlyList<long> EosTokenIds { get; init; } = [];
    /// <summary>Filler after a sequence finished; null means the first EOS id (transformers sets pad = eos).</summary>
    public long? PadTokenId { get; init; }

    /// <summary>The pad id generation actually uses: <see cref="PadTokenId"/>, else the first EOS id.</summary>
    public long? EffectivePadTokenId => PadTokenId ?? (EosTokenIds.Count > 0 ? EosTokenIds[0] : null);

    /// <summary>The sampling warpers these settings imply (empty when not sampling).</summary>
    public IReadOnlyList<LogitsWarper> Warpers() => DoSample ? LogitsWarpers.For(Temperature, TopK, TopP) : [];

    /// <summary>Rejects settings transformers' generate would reject.</summary>
    public void Validate()
    {
        if (MaxLength < 1)
            throw new LlmLocException($"max-length must be at least 1 (it counts the prompt), got {MaxLength}; pass e.g. --max-length 20",
                ExitCodes.Usage);
        if (NumReturnSequences < 1)
            throw new LlmLocException($"num-return-sequences must be at least 1, got {NumReturnSequences}",
                ExitCodes.Usage);
        if (NumReturnSequences > 1 && !DoSample)
            throw new LlmLocException(
                $"greedy decoding gives one sequence, but {NumReturnSequences} were requested; enable sampling or ask for 1 sequence",
                ExitCodes.Usage);
        if (DoSample) _ = Warpers(); // the warpers check their own parameters
    }

    /// <summary>
    /// Settings for the checkpoint in <paramref name="folder"/>: transformers' defaults, overridden by the folder's
    /// generation_config.json (or, when there is none, by config.json as <c>GenerationConfig.from_model_config</c>
    /// does), overridden by every non-null argument. EOS may be an int or a list; when generation_config.json has no
    /// eos_token_id/pad_token_id, config.json's is used.
    /// </summary>
    public static GenerationSettings FromModelFolder(string folder, int? maxLength = null, bool? doSample = null,
        double? temperature = null, int? topK = null, double? topP = null, int? numReturnSequences = null, long? seed = null)
    {
        var config = ReadJson(Path.Combine(folder, "config.json"), required: true)!;
        var generation = ReadJson(Path.Combine(folder, "generation_config.json"), required: false) ?? config;
        var defaults = new GenerationSettings();
        var eos = EosList(generation, folder) ?? EosList(config, folder) ?? [];
        var settings = new GenerationSettings
        {
            MaxLength = maxLength ?? Int(generation, "max_length", folder) ?? defaults.MaxLength,
            DoSample = doSample ?? Bool(generation, "do_sample", folder) ?? defaults.DoSample,
            Temperature = temperature ?? Double(generation, "temperature", folder) ?? defaults.Temperature,
            TopK = topK ?? Int(generation, "top_k", folder) ?? defaults.TopK,
            TopP = topP ?? Double(generation, "top_p", folder) ?? defaults.TopP,
            NumReturnSequences = numReturnSequences ?? Int(generation, "num_return_sequences", folder) ?? defaults.NumReturnSequences,
            Seed = seed ?? defaults.Seed,
            EosTokenIds = eos,
            PadTokenId = Long(generation, "pad_token_id", folder) ?? Long(config, "pad_token_id", folder),
        };
        settings.Validate();
        return settings;
    }

    static JsonObject? ReadJson(string path, bool required)
    {
        if (!File.Exists(path))
        {
            if (!required) return null;
            throw new LlmLocException($"no config.json in {Path.GetDirectoryName(path)}; pass a Hugging Face model folder",
                ExitCodes.InputError);
        }
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                   ?? throw new LlmLocException($"{path} is not a JSON object; restore the file from the model's repository",
                       ExitCodes.InputError);
        }
        catch (JsonException e)
        {
            throw new LlmLocException($"{path} is not valid JSON ({e.Message}); restore the file from the model's repository",
                ExitCodes.InputError, e);
        }
    }

    static IReadOnlyList<long>? EosList(JsonObject json, string folder) => json["eos_token_id"] switch
    {
        null => null,
        JsonArray list => list.Select(item => item is JsonValue v && v.TryGetValue<long>(out var id)
            ? id
            : throw BadValue("eos_token_id", folder)).ToArray(),
        JsonValue v when v.TryGetValue<long>(out var id) => [id],
        _ => throw BadValue("eos_token_id", folder),
    };

    static long? Long(JsonObject json, string key, string folder) => json[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<long>(out var x) => x,
        _ => throw BadValue(key, folder),
    };

    static int? Int(JsonObject json, string key, string folder) =>
        Long(json, key, folder) is { } x ? checked((int)x) : null;

    static double? Double(JsonObject json, string key, string folder) => json[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var x) => x,
        _ => throw BadValue(key, folder),
    };

    static bool? Bool(JsonObject json, string key, string folder) => json[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var x) => x,
        _ => throw BadValue(key, folder),
    };

    static LlmLocException BadValue(string key, string folder) => new(
        $"{key} in the generation settings of {folder} has an unexpected type; fix generation_config.json/config.json there",
        ExitCodes.InputError);
}
