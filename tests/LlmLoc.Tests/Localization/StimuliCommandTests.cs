using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Localization;

public class StimuliCommandTests
{
    [Fact]
    public void ListCountsTheInstalledStimuli()
    {
        var result = CliRunner.Run("stimuli", "list", "--stimuli-dir", Shared.Path_("stimuli"));
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^language\s+S\s+240\s", lines[1]);
        Assert.Matches(@"^language\s+N\s+240\s", lines[2]);
        Assert.Matches(@"^theory-of-mind\s+b\s+10\s", lines[3]);
        Assert.Matches(@"^theory-of-mind\s+p\s+10\s", lines[4]);
    }

    [Fact]
    public void UnknownNetworkIsAUsageError()
    {
        var result = CliRunner.Run("stimuli", "download", "--network", "vision");
        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
