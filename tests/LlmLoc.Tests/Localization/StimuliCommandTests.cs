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
    public void ListShowsTheBuiltInLocalizersAndAFormatThatReads()
    {
        var result = CliRunner.Run("stimuli", "list", "--stimuli-dir", Shared.Path_("stimuli"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("language         sentences > non-words, first 12 tokens:", result.Stdout);
        Assert.Contains("theory-of-mind   belief > photo:", result.Stdout);
        Assert.Contains("multiple-demand  hard > easy:", result.Stdout);
        Assert.Contains("llmloc stimuli export --network language --out DIR", result.Stdout);
        // The example the listing prints is a definition the reader accepts (with its files in place).
        using var dir = new TempDir();
        string example = string.Join('\n', result.Stdout.Split('\n').SkipWhile(l => !l.Contains("name = ")).TakeWhile(l => l.StartsWith("  ") && !l.Contains("Masks are"))
            .Select(l => l.Trim()));
        File.WriteAllLines(dir.File("oraciones.txt"), ["uno dos", "tres cuatro"]);
        File.WriteAllText(dir.File("pairs.csv"), "good,bad\na,b\nc,d\n");
        File.WriteAllText(dir.File("lang-es.toml"), example);
        var definition = LlmLoc.Stimuli.LocalizerFile.Read(dir.File("lang-es.toml"));
        Assert.Equal(("lang-es", 12, LlmLoc.Masks.Pooling.LastToken), (definition.Name, definition.MaxTokens!.Value, definition.DefaultPooling!.Value));
        Assert.Equal(["b", "d"], definition.LoadStimuli("", 0).Negative);
    }

    [Fact]
    public void ExportNeedsABuiltInNetwork()
    {
        var result = CliRunner.Run("stimuli", "export", "--network", "vision", "--out", "x");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("vision", result.Stderr);
    }

    [Fact]
    public void UnknownNetworkIsAUsageError()
    {
        var result = CliRunner.Run("stimuli", "download", "--network", "vision");
        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
