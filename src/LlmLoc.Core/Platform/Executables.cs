namespace LlmLoc.Platform;

/// <summary>Files that are run as programs.</summary>
public static class Executables
{
    /// <summary>Lets the owner run <paramref name="path"/> (the Unix execute bit); Windows runs files by their
    /// extension, so there is nothing to set.</summary>
    public static void MarkExecutable(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
    }
}
