using LlmLoc.Localization;
using LlmLoc.Sessions;
using LlmLoc.Stimuli;

namespace LlmLoc.Sweeps;

/// <summary>The custom localizers of a sweep grid (<c>localizers = [...]</c>) and of its cells.</summary>
static class SweepLocalizers
{
    /// <summary>A grid entry: a definition file relative to the grid (read and checked now), made absolute so the plan
    /// runs from any folder; a built-in's name stays as written.</summary>
    public static string Check(string entry, string gridDir)
    {
        if (LocalizerDefinition.BuiltIn(entry) is not null) return entry;
        string path = Path.GetFullPath(entry, gridDir);
        if (!LocalizerReference.IsFile(entry) && !File.Exists(path))
            throw new LlmLocException($"'{entry}' is not a built-in localizer or a definition file (*.toml, relative to the grid)", ExitCodes.Usage);
        LocalizerFile.Read(path);
        return path;
    }

    /// <summary>A cell's options with its localizer resolved: a definition file's cache network needs the model's
    /// tokenizer (not its weights), so this is done once per cell and command.</summary>
    public static LocalizeOptions Resolve(LocalizeOptions options) =>
        options.Localizer is null ? options : Localizer.Resolve(options, TextWriter.Null).Options;
}
