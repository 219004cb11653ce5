using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmLoc.IO;
using LlmLoc.Masks;
using Tomlyn;
using Tomlyn.Model;

namespace LlmLoc.Stimuli;

/// <summary>Options of <c>llmloc stimuli export</c>.</summary>
public sealed record LocalizerExportOptions
{
    /// <summary>The built-in localizer to write out.</summary>
    public required string Network { get; init; }
    public required string OutputDir { get; init; }
    public required string StimuliDir { get; init; }
    /// <summary>The user named the stimuli folder: it must exist, nothing is fetched into a new one.</summary>
    public bool StimuliDirExplicit { get; init; }
    /// <summary>The seed that draws theory-of-mind's answers (as <c>localize --seed</c>).</summary>
    public int Seed { get; init; } = 42;
    /// <summary>The definition's name; default <c>{network}-copy</c>, so the copy is a custom localizer of its own.</summary>
    public string? Name { get; init; }

    public string DefinitionName => Name ?? $"{Network}-copy";
}

/// <summary>
/// Writes a built-in localizer as a definition file and its two conditions: exactly the strings the built-in feeds the
/// model, in its order, so a user starts from a known-good localizer. Items go one per line into <c>.txt</c> when every
/// item can be a line (no line break, not blank, no leading byte-order mark); otherwise (theory-of-mind's and the
/// arithmetic prompts hold newlines) into <c>.jsonl</c> with a <c>"text"</c> field, which keeps any string exactly.
/// </summary>
public static class LocalizerExport
{
    /// <returns>The files written (definition first), all or none.</returns>
    /// <param name="autoFetch">Fetches missing stimuli (as localize does); default <see cref="Download.StimuliAutoFetch.FromEnvironment"/>.</param>
    public static IReadOnlyList<string> Write(LocalizerExportOptions options, TextWriter stderr, Download.StimuliAutoFetch? autoFetch = null)
    {
        var builtIn = LocalizerDefinition.BuiltIn(options.Network)
            ?? throw new LlmLocException($"--network '{options.Network}' is not a built-in localizer: use {string.Join(", ", LocalizerDefinition.BuiltIns.Select(b => b.Name))}", ExitCodes.Usage);
        string name = options.DefinitionName;
        if (!LocalizerDefinition.IsValidName(name) || LocalizerDefinition.ReservedNames.Contains(name))
            throw new LlmLocException($"--name '{name}' is not a localizer name: use 1 to 64 lower-case letters, digits and '-', starting with a letter or digit, e.g. my-language", ExitCodes.Usage);
        AtomicFile.CheckCanWriteFolder(options.OutputDir, "--out");
        (autoFetch ?? Download.StimuliAutoFetch.FromEnvironment()).EnsurePresent(builtIn.Name, options.StimuliDir, stderr, options.StimuliDirExplicit);
        var stimuli = builtIn.LoadStimuli(options.StimuliDir, options.Seed);

        bool asLines = stimuli.Positive.Concat(stimuli.Negative).All(FitsOnALine);
        string extension = asLines ? ".txt" : ".jsonl";
        string positiveFile = builtIn.ConditionNames.Positive + extension, negativeFile = builtIn.ConditionNames.Negative + extension;
        object Source(string file) => asLines ? file : new TomlTable(inline: true) { ["path"] = file, ["field"] = "text" };

        var table = new TomlTable
        {
            ["name"] = name,
            ["description"] = $"{builtIn.Description} (llmloc stimuli export --network {builtIn.Name}" +
                (builtIn.Name == Networks.TheoryOfMind ? $", answers of seed {options.Seed})" : ")"),
            ["positive"] = Source(positiveFile),
            ["negative"] = Source(negativeFile),
        };
        if (builtIn.MaxTokens is { } maxTokens) table["max_tokens"] = (long)maxTokens;
        table["pooling"] = (builtIn.DefaultPooling ?? Pooling.LastToken).ToFlag();

        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        string definitionPath = Path.Combine(options.OutputDir, name + ".toml");
        var files = new List<(string Path, byte[] Bytes)>
        {
            (definitionPath, utf8.GetBytes(TomlSerializer.Serialize(table))),
            (Path.Combine(options.OutputDir, positiveFile), utf8.GetBytes(Items(stimuli.Positive, asLines))),
            (Path.Combine(options.OutputDir, negativeFile), utf8.GetBytes(Items(stimuli.Negative, asLines))),
        };
        using var outputs = new OutputSet();
        foreach (var (path, bytes) in files) outputs.Add(path, bytes);
        outputs.Commit();
        return files.Select(f => f.Path).ToList();
    }

    /// <summary>True when a .txt line reads back as exactly this item (<see cref="LocalizerFile"/>'s rules).</summary>
    static bool FitsOnALine(string item) =>
        item.Trim().Length > 0 && !item.Contains('\n') && !item.Contains('\r') && !item.StartsWith('\uFEFF');

    static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static string Items(IReadOnlyList<string> items, bool asLines)
    {
        var text = new StringBuilder();
        foreach (string item in items)
            text.Append(asLines ? item : JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = item }, Json)).Append('\n');
        return text.ToString();
    }
}
