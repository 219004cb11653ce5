using LlmLoc.Masks;
using LlmLoc.Stimuli;
using LlmLoc.Tokenization;

namespace LlmLoc.Sessions;

/// <summary>A localizer ready to run on one model: its items, the token ids the model reads, and its cache network.</summary>
public sealed record PreparedLocalizer(
    LocalizerDefinition Definition, LocalizerStimuli Stimuli,
    IReadOnlyList<IReadOnlyList<int>> PositiveIds, IReadOnlyList<IReadOnlyList<int>> NegativeIds, string CacheNetwork);

/// <summary>
/// A localizer as the verbs name it (<c>--localizer</c>): a built-in's name, a definition file (<c>*.toml</c>), or a
/// custom localizer's bare name, found in the mask cache. Turns it into the <c>network=</c> part of cache names:
/// a built-in's name; for a definition file <c>{name}-{hash of the token ids}</c> (<see cref="CustomNetworks"/>), or
/// the built-in's name when the file is a built-in's exact copy (same name, items and max_tokens).
/// </summary>
public static class LocalizerReference
{
    /// <summary>A reference that names a file rather than a localizer (it ends in .toml or holds a folder separator).</summary>
    public static bool IsFile(string reference) =>
        reference.EndsWith(".toml", StringComparison.OrdinalIgnoreCase) || reference.Contains('/') || reference.Contains(Path.DirectorySeparatorChar);

    /// <summary>The definition a reference names, read and checked (no model work); null for a bare custom name.</summary>
    public static LocalizerDefinition? Definition(string reference)
    {
        if (LocalizerDefinition.BuiltIn(reference) is { } builtIn) return builtIn;
        if (IsFile(reference)) return LocalizerFile.Read(reference);
        if (!LocalizerDefinition.IsValidName(reference) || LocalizerDefinition.ReservedNames.Contains(reference))
            throw new LlmLocException($"--localizer '{reference}' is neither a built-in localizer ({string.Join(", ", LocalizerDefinition.BuiltIns.Select(b => b.Name))}), " +
                "a definition file (*.toml) nor a custom localizer's name ([a-z0-9-]+): give one of these", ExitCodes.Usage);
        return null;
    }

    /// <summary>
    /// True when <paramref name="definition"/> is (a copy of) the built-in of its name; a definition file that takes a
    /// built-in's name with other items or another max_tokens is refused (its masks would share the built-in's names).
    /// </summary>
    public static bool IsBuiltIn(LocalizerDefinition definition, string stimuliDir, int seed)
    {
        if (definition.IsBuiltIn) return true;
        if (LocalizerDefinition.BuiltIn(definition.Name) is not { } builtIn) return false;
        string Refused(string what) =>
            $"localizer definition {definition.SourceFile} is named '{definition.Name}' like the built-in, but its {what}: " +
            "give it another name (a copy of a built-in may keep the name only with the built-in's exact items)";
        if (definition.MaxTokens != builtIn.MaxTokens)
            throw new LlmLocException(Refused($"max_tokens ({definition.MaxTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) differs"), ExitCodes.InputError);
        LocalizerStimuli theirs;
        try { theirs = builtIn.LoadStimuli(stimuliDir, seed); }
        catch (LlmLocException e)
        {
            throw new LlmLocException(Refused($"items cannot be compared with the built-in's ({e.Message.TrimEnd('.')})"), ExitCodes.InputError);
        }
        var ours = definition.LoadStimuli(stimuliDir, seed);
        if (!ours.Positive.SequenceEqual(theirs.Positive, StringComparer.Ordinal) || !ours.Negative.SequenceEqual(theirs.Negative, StringComparer.Ordinal))
            throw new LlmLocException(Refused($"items differ from the built-in's (in {stimuliDir}, seed {seed})"), ExitCodes.InputError);
        return true;
    }

    /// <summary>The definition's items and token ids (cut to its max_tokens), and its cache network.</summary>
    public static PreparedLocalizer Prepare(LocalizerDefinition definition, HfTokenizer tokenizer, string stimuliDir, int seed) =>
        Tokenize(definition, definition.LoadStimuli(stimuliDir, seed), tokenizer, builtIn: IsBuiltIn(definition, stimuliDir, seed));

    /// <summary>Items already loaded, tokenized as the model reads them; a built-in's network is its name.</summary>
    public static PreparedLocalizer Tokenize(LocalizerDefinition definition, LocalizerStimuli stimuli, HfTokenizer tokenizer, bool builtIn)
    {
        List<IReadOnlyList<int>> Encode(IReadOnlyList<string> items) => items.Select(text => tokenizer.Encode(text, maxLength: definition.MaxTokens)).ToList();
        var positive = Encode(stimuli.Positive);
        var negative = Encode(stimuli.Negative);
        string network = builtIn ? definition.Name : CustomNetworks.NetworkName(definition.Name, positive, negative);
        return new PreparedLocalizer(definition, stimuli, positive, negative, network);
    }

    /// <summary>
    /// The cache network of a lookup (a verb that reads a cached mask): a built-in's name; a definition file's
    /// network (needs <paramref name="tokenizer"/>); for a bare custom name, the one network of that name cached with
    /// the other settings of <paramref name="key"/> — an error naming the candidates when there are several, or none.
    /// </summary>
    public static string CacheNetwork(string reference, MaskCacheKey key, string cacheDir, Func<HfTokenizer> tokenizer, string stimuliDir, int seed)
    {
        if (Definition(reference) is { } definition)
            return IsBuiltIn(definition, stimuliDir, seed) ? definition.Name : Prepare(definition, tokenizer(), stimuliDir, seed).CacheNetwork;
        var cached = CustomNetworks.Cached(cacheDir, key, reference);
        string pattern = (key with { Network = $"{reference}-????????" }).MaskFileName;
        return cached.Count switch
        {
            1 => cached[0],
            0 => throw new LlmLocException($"no cached mask of localizer '{reference}' in {cacheDir} (looked for {pattern}): " +
                $"localize it first (`llmloc localize --localizer {reference}.toml` with these settings), or give its definition file with --localizer FILE.toml", ExitCodes.InputError),
            _ => throw new LlmLocException($"{cached.Count} localizers named '{reference}' are cached in {cacheDir} with these settings ({string.Join(", ", cached)}): " +
                "give the definition file with --localizer FILE.toml to pick one", ExitCodes.Usage),
        };
    }
}
