namespace LlmLoc.Tests.Localization;

public class RootCommandTests
{
    [Fact]
    public void BareLlmlocListsEveryVerb()
    {
        var result = CliRunner.Run();
        Assert.Equal(0, result.ExitCode);
        foreach (var verb in new[] { "localize", "generate-lesion", "evaluate", "plot", "stimuli" })
            Assert.Contains(verb, result.Stdout);
    }

    [Fact]
    public void UnknownVerbIsOneLineUsageError()
    {
        var result = CliRunner.Run("localise");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("llmloc: error: unknown verb 'localise': did you mean 'llmloc localize'? (see 'llmloc --help')", result.Stderr.Trim());
    }
}
