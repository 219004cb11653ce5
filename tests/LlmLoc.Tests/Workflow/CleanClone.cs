namespace LlmLoc.Tests.Workflow;

/// <summary>
/// One `git clone` of the committed HEAD into a temp folder, shared by the slow workflow tests so the project is
/// built a second time only once (uncommitted changes are not in it: commit before running these tests).
/// </summary>
public sealed class CleanClone : IDisposable
{
    readonly TempDir _dir = new();

    public string Path { get; }

    public CleanClone()
    {
        Path = _dir.File("llmloc");
        var clone = Shell.Run(_dir.Path, "git", ["clone", "--quiet", "--no-hardlinks", Shared.RepoRoot, Path]);
        if (clone.ExitCode != 0) throw new InvalidOperationException("git clone failed: " + clone.Stderr);
    }

    public void Dispose() => _dir.Dispose();
}
