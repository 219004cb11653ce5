namespace LlmLoc.Platform;

/// <summary>The user's home folder and <c>~</c> expansion as Python's <c>os.path.expanduser</c> does them, which is how
/// huggingface_hub finds its cache (<c>~/.cache/huggingface/hub</c>): same folder from Python and llmloc.</summary>
public static class UserFolders
{
    /// <summary>
    /// The home folder: on Windows <c>%USERPROFILE%</c>, else <c>%HOMEDRIVE%%HOMEPATH%</c> (Python ignores HOME there
    /// since 3.8); on Linux and macOS <c>$HOME</c>; else the account's profile folder as the system reports it.
    /// </summary>
    public static string Home(Func<string, string?> env, OsFamily os)
    {
        string? Env(string name) => env(name) is { Length: > 0 } value ? value : null;
        if (os == OsFamily.Windows)
            return Env("USERPROFILE")
                ?? (Env("HOMEPATH") is { } homePath ? (Env("HOMEDRIVE") ?? "") + homePath : null)
                ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
    }

    /// <summary>"~" and "~/..." (on Windows also "~\...") become the home folder; anything else (also "~user") is kept.</summary>
    public static string ExpandUser(string path, Func<string, string?> env, OsFamily os)
    {
        if (path == "~") return Home(env, os);
        bool separator = path.Length > 1 && path[0] == '~' && (path[1] == '/' || (os == OsFamily.Windows && path[1] == '\\'));
        return separator ? Join(Home(env, os), path[2..], os) : path;
    }

    /// <summary>Path.Combine for <paramref name="os"/>'s separator (so Windows paths are built right in tests on Linux).</summary>
    public static string Join(string folder, string rest, OsFamily os)
    {
        if (os != OsFamily.Windows || OperatingSystem.IsWindows()) return Path.Combine(folder, rest);
        return folder.EndsWith('\\') || folder.EndsWith('/') ? folder + rest : folder + "\\" + rest;
    }
}
