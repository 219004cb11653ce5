using System.Text.Json.Nodes;
using LlmLoc.IO;

namespace LlmLoc.Generation;

/// <summary>
/// The subset of transformers' GenerationConfig that generate_lesion.py relies on. Property defaults are
/// transformers 4.44's; <see cref="FromModelFolder"/> layers the model folder's generation_config.json and the
/// caller's explicit values on top, in the order <c>model.generate(**kwargs)</c> does.
/// </summary>
public sealed record GenerationSettings
{
    const string Fix = "fix generation_config.json (or config.json) there";

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
    /// Settings for the checkpoint in <paramref name="folder"/> whose parsed config.json is <paramref name="config"/>
    /// (a loaded model's <see cref="ModelConfig.Raw"/>): transformers' defaults, overridden by the folder's
    /// generation_config.json (or, when there is none, by config.json as <c>GenerationConfig.from_model_config</c>
    /// does), overridden by every non-null argument. EOS may be an int or a list; when generation_config.json has no
    /// eos_token_id/pad_token_id, config.json's is used.
    /// </summary>
    public static GenerationSettings FromModelFolder(string folder, JsonObject config, int? maxLength = null, bool? doSample = null,
        double? temperature = null, int? topK = null, double? topP = null, int? numReturnSequences = null, long? seed = null)
    {
        var model = new JsonSettings(config, $"config.json in {folder}", Fix);
        var generation = JsonSettings.ReadObject(Path.Combine(folder, "generation_config.json"), required: false, Fix) is { } raw
            ? new JsonSettings(raw, $"generation_config.json in {folder}", Fix)
            : model;
        var defaults = new GenerationSettings();
        var eos = generation.WholeNumbers("eos_token_id") ?? model.WholeNumbers("eos_token_id") ?? [];
        var settings = new GenerationSettings
        {
            MaxLength = maxLength ?? generation.WholeNumber("max_length") ?? defaults.MaxLength,
            DoSample = doSample ?? generation.Bool("do_sample") ?? defaults.DoSample,
            Temperature = temperature ?? generation.Number("temperature") ?? defaults.Temperature,
            TopK = topK ?? generation.WholeNumber("top_k") ?? defaults.TopK,
            TopP = topP ?? generation.Number("top_p") ?? defaults.TopP,
            NumReturnSequences = numReturnSequences ?? generation.WholeNumber("num_return_sequences") ?? defaults.NumReturnSequences,
            Seed = seed ?? defaults.Seed,
            EosTokenIds = eos.Select(id => (long)id).ToArray(),
            PadTokenId = generation.WholeNumber("pad_token_id") ?? model.WholeNumber("pad_token_id"),
        };
        settings.Validate();
        return settings;
    }
}
