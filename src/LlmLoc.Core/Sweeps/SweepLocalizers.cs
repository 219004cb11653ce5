using LlmLoc.Sessions;
using LlmLoc.Stimuli;

namespace LlmLoc.Sweeps;

/// <summary>The entries of a sweep grid's <c>localizers = [...]</c>.</summary>
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
}
