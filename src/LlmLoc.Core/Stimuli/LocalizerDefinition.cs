using LlmLoc.Masks;

namespace LlmLoc.Stimuli;

/// <summary>
/// One localizer: a name, two conditions (units are ranked by the Welch t of positive minus negative), the token limit
/// of each item, and the pooling its masks use when no <c>--pooling</c> is given. The built-in three and the user's
/// definition files (<c>--localizer FILE.toml</c>, <see cref="LocalizerFile"/>) are both this type.
/// </summary>
public sealed record LocalizerDefinition
{
    /// <summary><c>[a-z0-9-]+</c>; a built-in's name, or the name part of a custom mask's <c>network={name}-{hash}</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The two conditions' items, in the order they are fed to the model: (stimuli folder, seed) → items.
    /// Built-ins read the folder (and the seed: theory-of-mind's answers); definition files ignore both.</summary>
    public required Func<string, int, LocalizerStimuli> LoadStimuli { get; init; }
    /// <summary>Each item's token ids are cut to this many (the original's language localizer: 12); null keeps all.</summary>
    public int? MaxTokens { get; init; }
    /// <summary>The pooling of this localizer's masks when <c>--pooling</c> is not given; null: the verb's own default.</summary>
    public Pooling? DefaultPooling { get; init; }
    public string Description { get; init; } = "";
    /// <summary>The definition file, or null for a built-in.</summary>
    public string? SourceFile { get; init; }
    /// <summary>What the positive and negative conditions are (for listings).</summary>
    public required (string Positive, string Negative) ConditionNames { get; init; }

    public bool IsBuiltIn => SourceFile is null;

    /// <summary>The original's three localizers, with localize.py's behaviour (their cache names are their names).</summary>
    public static IReadOnlyList<LocalizerDefinition> BuiltIns { get; } =
    [
        new()
        {
            Name = Networks.Language,
            LoadStimuli = (dir, _) => LanguageStimuli.Load(dir),
            MaxTokens = 12,
            Description = "sentences vs lists of nonwords (Fedorenko et al. 2010), the original's langloc CSVs",
            ConditionNames = ("sentences", "non-words"),
        },
        new()
        {
            Name = Networks.TheoryOfMind,
            LoadStimuli = TomStimuli.Load,
            Description = "false-belief vs false-photograph stories (Saxe & Kanwisher 2003), as a True/False question each",
            ConditionNames = ("belief", "photo"),
        },
        new()
        {
            Name = Networks.MultipleDemand,
            LoadStimuli = (_, _) => MdStimuli.Generate(),
            Description = "hard (three-digit) vs easy (one/two-digit) arithmetic prompts, generated",
            ConditionNames = ("hard", "easy"),
        },
    ];

    /// <summary>The built-in of that name, or null.</summary>
    public static LocalizerDefinition? BuiltIn(string name) => BuiltIns.FirstOrDefault(b => b.Name == name);

    /// <summary>
    /// Lesion conditions that are not localizers: a localizer must not be named like them, or <c>--network random</c>
    /// would be ambiguous.
    /// </summary>
    public static readonly string[] ReservedNames = [Networks.Random, Networks.None];

    /// <summary>True for a valid localizer name: a network name (lower-case ASCII letters, digits and '-', not starting
    /// with '-'; it becomes part of file names) of at most 64 characters.</summary>
    public static bool IsValidName(string name) => name.Length <= 64 && Networks.IsName(name);
}
