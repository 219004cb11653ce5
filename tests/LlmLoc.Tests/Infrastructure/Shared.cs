namespace LlmLoc.Tests.Infrastructure;

/// <summary>Locates the read-only reference data in ../shared (next to the repository root).</summary>
public static class Shared
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared folder: $LLMLOC_SHARED if set, else ../shared beside the repository.</summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("LLMLOC_SHARED") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Fixtures => Path.Combine(Root, "fixtures");
    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);
    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "LlmLoc.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LlmLoc.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmloc-test-" + Guid.NewGuid().ToString("N")[..12]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
