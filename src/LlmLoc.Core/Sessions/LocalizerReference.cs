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
/// custom localizer's bare name (found in the mask cache, <see cref="MaskCache.Find"/>). <see cref="Apply"/> puts it
/// into a mask specification; <see cref="Resolve"/> gives a definition file its <c>network=</c> part of cache names for
/// one model: <c>{name}-{hash of the token ids}</c> (<see cref="CustomNetworks"/>), or the built-in's name when the
/// file is a built-in's exact copy (same name, items and max_tokens).
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
    /// The mask specification with --network (null: not given) and --localizer (null: not given) applied, checked
    /// before any model work: --localizer names the network (a built-in's or a custom localizer's name, or a definition
    /// file, read now); --network, when also given, must name the same one.
    /// </summary>
    public static MaskSpec Apply(MaskSpec mask, string? network, string? localizer)
    {
        if (localizer is null) return network is null ? mask : mask with { Network = network };
        var definition = Definition(localizer);
        string name = definition?.Name ?? localizer;
        if (network is not null && network != name)
            throw new LlmLocException($"--network {network} and --localizer {localizer} name different localizers: give one of them", ExitCodes.Usage);
        return mask with
        {
            Network = name,
            Localizer = definition is { IsBuiltIn: false } ? new CustomLocalizer(name, definition.SourceFile!, definition.DefaultPooling) : null,
        };
    }

    /// <summary>
    /// The specification with its custom localizer's cache network for <paramref name="model"/>: the hash of the ids
    /// the model's tokenizer gives (loaded alone, no weights), or the built-in's name for an exact copy of it.
    /// Unchanged without a custom localizer, or once resolved.
    /// </summary>
    /// <param name="stimuliDir">Where a built-in's stimuli are, to compare a copy named like it (default: the stimuli folder).</param>
    public static MaskSpec Resolve(MaskSpec mask, ModelSpec model, string? stimuliDir = null, TextWriter? log = null)
    {
        if (mask.Localizer is not { CacheNetwork: null } localizer) return mask;
        var definition = LocalizerFile.Read(localizer.File);
        string dir = stimuliDir ?? StimuliLocation.Default();
        string network = IsBuiltIn(definition, dir, model.Seed) ? definition.Name
            : Prepare(definition, TokenizerSource.Open(model, log), dir, model.Seed).CacheNetwork;
        return mask with { Localizer = localizer with { CacheNetwork = network } };
    }
}
