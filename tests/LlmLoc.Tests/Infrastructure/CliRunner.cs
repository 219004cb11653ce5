namespace LlmLoc.Tests.Infrastructure;

/// <summary>Runs the llmloc CLI in-process and captures what it writes.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = LlmLoc.Cli.Program.Run(args, stdout, stderr);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The error contract: exactly one "llmloc: error:" line, holding <paramref name="messagePart"/>, and no stack frame.</summary>
    public static void AssertOneErrorLine(string stderr, string messagePart)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string error = Assert.Single(lines, l => l.StartsWith("llmloc: error: ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
        Assert.Contains(messagePart, error);
    }
}
