namespace LlmLoc.Tests.Workflow;

/// <summary>
/// One `git clone` of the committed HEAD into a temp folder, shared by the slow workflow tests so the project is
/// built a second time only once (uncommitted changes are not in it: commit before running these tests).
/// </summary>
public sealed class CleanClone : IDisposable
{
    readonly TempDir _dir = new();
    readonly Lazy<Shell.Result> _pack;

    public string Path { get; }

    /// <summary>Where <see cref="Pack"/> writes the tool packages.</summary>
    public string Artifacts => System.IO.Path.Combine(Path, "artifacts");

    public CleanClone()
    {
        Path = _dir.File("llmloc");
        var clone = Shell.Run(_dir.Path, "git", ["clone", "--quiet", "--no-hardlinks", Shared.RepoRoot, Path]);
        if (clone.ExitCode != 0) throw new InvalidOperationException("git clone failed: " + clone.Stderr);
        _pack = new(() => Shell.Run(Path, "dotnet", ["pack", "src/LlmLoc.Cli", "-c", "Release", "-o", Artifacts], timeout: TimeSpan.FromMinutes(20)));
    }

    /// <summary>The README's `dotnet pack src/LlmLoc.Cli -c Release -o artifacts`, run once for all tests that need it.</summary>
    public Shell.Result Pack() => _pack.Value;

    public void Dispose() => _dir.Dispose();
}
