using System.Diagnostics;
using LlmLoc.Tests.Infrastructure;

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

/// <summary>Runs a process to completion, capturing its output.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

    public static Result Run(string workingDir, string file, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file, args)
        { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in env ?? new Dictionary<string, string?>())
            if (value is null) start.Environment.Remove(key); else start.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }
}
