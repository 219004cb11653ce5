namespace LlmLoc.Tests.Infrastructure;

/// <summary>
/// Runs a script from scripts/ against a fake llmloc: a bash stub that appends its arguments to calls.log (one line
/// per call) and exits with $FAKE_EXIT when its arguments contain $FAKE_FAIL_ON.
/// </summary>
public sealed class ScriptRunner : IDisposable
{
    readonly TempDir _dir = new();

    public sealed record Result(int ExitCode, string Stdout, string Stderr, string[] Calls);

    public string Root => _dir.Path;
    public string Fake { get; }

    public ScriptRunner()
    {
        Fake = _dir.File("llmloc");
        File.WriteAllText(Fake, """
            #!/usr/bin/env bash
            echo "$*" >> "$FAKE_LOG"
            if [[ -n "${FAKE_FAIL_ON:-}" && "$*" == *"$FAKE_FAIL_ON"* ]]; then echo "fake failure" >&2; exit "${FAKE_EXIT:-1}"; fi
            exit 0
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public Result Run(string script, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        string log = _dir.File("calls.log");
        File.WriteAllText(log, "");
        var vars = new Dictionary<string, string?> { ["LLMLOC"] = Fake, ["FAKE_LOG"] = log, ["LOC_CACHE"] = null };
        foreach (var (k, v) in env) vars[k] = v;
        var run = Shell.Run(_dir.Path, "bash", [Path.Combine(Shared.RepoRoot, "scripts", script), .. args], vars);
        return new Result(run.ExitCode, run.Stdout, run.Stderr, File.ReadAllLines(log));
    }

    public void Dispose() => _dir.Dispose();
}
