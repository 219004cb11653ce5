namespace LlmLoc.Tests.Workflow;

/// <summary>
/// llmloc's Main flushes and leaves with _exit on Linux (no runtime shutdown): a child process must still deliver every
/// line to a pipe and the exit code the verb returned, as the in-process run of the same arguments gives them.
/// </summary>
public sealed class ProcessExitTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("localize", "--help")]
    [InlineData("localize", "--model-name", "/nonexistent/llmloc-model", "--num-units", "5", "--network", "multiple-demand")]
    [InlineData("localize", "--percentage", "abc")]
    public void AChildProcessDeliversAllOutputAndItsExitCode(params string[] args)
    {
        var inProcess = CliRunner.Run(args);
        var child = ChildCli.Run(args);

        Assert.Equal(inProcess.ExitCode, child.ExitCode);
        // Help names the program it runs in (the test host in process).
        Assert.Equal(inProcess.Stdout.Replace("testhost", "llmloc"), child.Stdout);
        Assert.Equal(inProcess.Stderr, child.Stderr);
        Assert.True(child.Stdout.Length + child.Stderr.Length > 0);
    }
}
