using LlmLoc.Generation;
using LlmLoc.Models;
using LlmLoc.Sessions;

namespace LlmLoc.Lesion;

/// <summary>
/// generate_lesion.py: load the model, ablate the chosen units (a network's mask, its random control or none),
/// generate from the prompt and print the decoded text(s). Progress goes to stderr, only text to stdout.
/// </summary>
public static class GenerateLesion
{
    public static void Run(GenerateLesionOptions options, TextWriter stdout, TextWriter stderr)
    {
        // Flags and the mask are checked before the model loads, so a mistake fails fast.
        new GenerationSettings
        {
            MaxLength = options.MaxLength, DoSample = !options.Greedy, Temperature = options.Temperature,
            TopK = options.TopK ?? 0, TopP = options.TopP ?? 1.0, NumReturnSequences = options.NumReturnSequences,
        }.Validate();
        options.Model.Validate();
        var lesion = options.Lesion;
        LesionRequest.CheckLocalizerIsRead(options.Mask, [lesion.Condition], lesion.RandomLike);
        var resolved = LesionMaskResolver.Resolve(lesion, stderr);
        options.Model.CheckFits(resolved.Mask);
        using var session = ModelSession.Open(options.Model, stderr);
        var model = session.Model;
        var site = options.Mask.Site;
        stderr.WriteLine($"llmloc: model {session.ModelId} ({model.NumLayers} layers × {model.UnitsPerLayer(site)} {site.UnitsNoun()}) on {model.Device}");
        resolved.Mask?.EnsureFits(model.NumLayers, model.UnitsPerLayer(site));
        stderr.WriteLine($"llmloc: {resolved.Description}");

        var settings = Settings(options, session);
        stderr.WriteLine(settings.DoSample
            ? $"llmloc: sampling (temperature {settings.Temperature}, top-k {settings.TopK}, top-p {settings.TopP}, seed {settings.Seed}), max length {settings.MaxLength}"
            : $"llmloc: greedy decoding, max length {settings.MaxLength}");

        var promptIds = session.Tokenizer.Encode(options.Prompt);
        Models.ModelInputs.Check(model.Config, [promptIds], "the prompt", Math.Max(0, settings.MaxLength - promptIds.Count));
        GenerationMemory.Check(model.Config, promptIds.Count, settings);
        long[] prompt = [.. promptIds.Select(id => (long)id)];
        var sequences = LesionedGeneration.Generate(model, prompt, resolved.Mask, settings);
        var texts = sequences.Select(ids => session.Tokenizer.Decode(ids.Select(id => checked((int)id)), skipSpecialTokens: true)).ToList();
        GeneratedTextWriter.Write(stdout, texts);
    }

    /// <summary>The original's generate(max_length, do_sample=True, temperature=0.7) over the model's generation config.</summary>
    static GenerationSettings Settings(GenerateLesionOptions options, ModelSession session)
    {
        bool sample = !options.Greedy;
        long seed = options.Model.Seed;
        if (session.Folder is { } folder)
            return GenerationSettings.FromModelFolder(folder, session.Model.Config.Raw, options.MaxLength, sample, options.Temperature,
                options.TopK, options.TopP, options.NumReturnSequences, seed);

        // Built-in untrained GPT-2: no folder, so transformers' defaults and the tokenizer's EOS.
        var defaults = new GenerationSettings();
        var settings = new GenerationSettings
        {
            MaxLength = options.MaxLength,
            DoSample = sample,
            Temperature = options.Temperature,
            TopK = options.TopK ?? defaults.TopK,
            TopP = options.TopP ?? defaults.TopP,
            NumReturnSequences = options.NumReturnSequences,
            Seed = seed,
            EosTokenIds = session.Tokenizer.EosTokenId is { } eos ? [eos] : [],
        };
        settings.Validate();
        return settings;
    }
}
