using System.Diagnostics;
using LlmLoc.Tests.Localization;

namespace LlmLoc.Tests.Hardening;

/// <summary>
/// llmloc run as a child process (what a user's shell does), for faults an in-process run cannot show: the locale the
/// runtime reads from the environment, signals, a vanished working folder, a parent killed while its children run.
/// </summary>
public static class ChildCli
{
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
    public static string Dll => typeof(LlmLoc.Cli.Program).Assembly.Location;

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Host, [Dll, .. args])
        { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        return start;
    }

    public static CliRunner.Result Run(string[] args, IDictionary<string, string>? environment = null, string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(args, environment, workingDirectory))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"llmloc {string.Join(' ', args)} did not finish in time");
        }
        process.WaitForExit();
        return new CliRunner.Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
