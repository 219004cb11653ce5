using System.Reflection;

namespace LlmLoc.Evaluation;

/// <summary>One BLiMP-style pair: the model should give the grammatical sentence the higher probability.
/// <see cref="Paradigm"/> is set for BLiMP (its UID; <see cref="Phenomenon"/> is then its linguistics_term).</summary>
public sealed record MinimalPair(string Good, string Bad, string? Phenomenon, string? Paradigm = null);

/// <summary>Loads minimal pairs from JSONL (BLiMP's format: sentence_good, sentence_bad; UID or phenomenon optional).</summary>
public static class MinimalPairs
{
    /// <summary>The value of --minimal-pairs that selects the built-in set.</summary>
    public const string BuiltinName = "builtin";
    const string ResourceName = "LlmLoc.Evaluation.Data.minimal_pairs.jsonl";
    const string Hint = "each line needs \"sentence_good\" and \"sentence_bad\" strings (BLiMP's JSONL format)";

    public static IReadOnlyList<MinimalPair> Load(string pathOrBuiltin)
    {
        if (pathOrBuiltin == BuiltinName) return Builtin();
        using var reader = JsonLines.OpenFile(pathOrBuiltin, "minimal-pair", "--minimal-pairs");
        return Parse(reader, pathOrBuiltin);
    }

    /// <summary>The project's own pairs (subject–verb agreement, filler–gap, argument structure).</summary>
    public static IReadOnlyList<MinimalPair> Builtin()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader, "built-in minimal pairs");
    }

    public static IReadOnlyList<MinimalPair> Parse(TextReader reader, string source)
    {
        var pairs = new List<MinimalPair>();
        foreach (var (line, item) in JsonLines.Read(source, reader))
        {
            string good = JsonLines.RequiredString(item, "sentence_good", source, line, Hint);
            string bad = JsonLines.RequiredString(item, "sentence_bad", source, line, Hint);
            // BLiMP names each paradigm by UID; llmloc's own set uses "phenomenon".
            string? phenomenon = JsonLines.OptionalText(item, "UID") ?? JsonLines.OptionalText(item, "phenomenon");
            pairs.Add(new MinimalPair(good, bad, phenomenon));
        }
        if (pairs.Count == 0)
            throw new LlmLocException($"{source} holds no minimal pairs: {Hint}");
        return pairs;
    }

    /// <summary>A BLiMP paradigm file: every line has UID (the paradigm) and linguistics_term (the phenomenon).</summary>
    public static IReadOnlyList<MinimalPair> ParseBlimp(TextReader reader, string source)
    {
        const string hint = "each BLiMP line has sentence_good, sentence_bad, UID and linguistics_term";
        var pairs = new List<MinimalPair>();
        foreach (var (line, item) in JsonLines.Read(source, reader))
            pairs.Add(new MinimalPair(
                JsonLines.RequiredString(item, "sentence_good", source, line, hint),
                JsonLines.RequiredString(item, "sentence_bad", source, line, hint),
                JsonLines.RequiredString(item, "linguistics_term", source, line, hint),
                JsonLines.RequiredString(item, "UID", source, line, hint)));
        if (pairs.Count == 0)
            throw new LlmLocException($"{source} holds no minimal pairs: {hint}");
        return pairs;
    }
}
