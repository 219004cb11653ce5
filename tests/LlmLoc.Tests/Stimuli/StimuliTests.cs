using System.Text.Json;
using LlmLoc.Stimuli;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Stimuli;

/// <summary>Stimulus texts compared exactly with the original dataset classes' output (fixtures/stimuli).</summary>
public class StimuliTests
{
    static string StimuliDir => Shared.Path_("stimuli");

    static JsonElement Fixture(string name) => JsonDocument.Parse(File.ReadAllText(Shared.Fixture("stimuli", name))).RootElement;

    static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    static void AssertTexts(JsonElement expected, LocalizerStimuli actual)
    {
        Assert.Equal(Strings(expected.GetProperty("positive")), actual.Positive);
        Assert.Equal(Strings(expected.GetProperty("negative")), actual.Negative);
    }

    [Fact]
    public void LanguageInSortedOrderMatchesTheOriginal()
    {
        var stimuli = LanguageStimuli.Load(StimuliDir);
        Assert.Equal(240, stimuli.Positive.Count);
        Assert.Equal(240, stimuli.Negative.Count);
        AssertTexts(Fixture("language_sorted_order.json"), stimuli);
    }

    [Fact]
    public void LanguageInTheReferenceGlobOrderMatchesTheOriginal()
    {
        var expected = Fixture("language_glob_order.json");
        var files = Strings(expected.GetProperty("csv_order")).Select(name => Path.Combine(StimuliDir, "language", name));
        AssertTexts(expected, LanguageStimuli.LoadFiles(files));
    }

    [Fact]
    public void TomWithSeed42MatchesTheOriginalSeededRun()
    {
        var expected = Fixture("tom_seed42.json");
        var stimuli = TomStimuli.Load(StimuliDir, 42);
        AssertTexts(expected, stimuli);
        Assert.Equal(Strings(expected.GetProperty("positive_answers")), stimuli.Positive.Select(t => t[(t.LastIndexOf(' ') + 1)..]));
    }

    [Fact]
    public void TomWithAllAnswersTrueMatchesTheOriginal()
    {
        string[] allTrue = Enumerable.Repeat("True", 10).ToArray();
        AssertTexts(Fixture("tom_answers_true.json"), TomStimuli.Load(StimuliDir, allTrue, allTrue));
    }

    [Fact]
    public void MultipleDemandMatchesTheOriginal()
    {
        var stimuli = MdStimuli.Generate();
        Assert.Equal(100, stimuli.Positive.Count);
        AssertTexts(Fixture("md.json"), stimuli);
    }

    [Fact]
    public void MissingLanguageFolderNamesTheDownloadCommand()
    {
        using var dir = new TempDir();
        var error = Assert.Throws<LlmLocException>(() => LanguageStimuli.Load(dir.Path));
        Assert.Contains("llmloc stimuli download --network language", error.Message);
        Assert.Contains("--stimuli-dir", error.Message);
    }

    [Fact]
    public void MissingTomFileNamesTheDownloadCommand()
    {
        using var dir = new TempDir();
        var error = Assert.Throws<LlmLocException>(() => TomStimuli.Load(dir.Path, 42));
        Assert.Contains("1b_story.txt", error.Message);
        Assert.Contains("llmloc stimuli download --network theory-of-mind", error.Message);
    }

    static string WriteLanguageCsv(TempDir dir, string name, string content)
    {
        Directory.CreateDirectory(dir.File("language"));
        string path = Path.Combine(dir.File("language"), name);
        File.WriteAllText(path, content);
        return path;
    }

    const string Header = "stim1,stim2,stim3,stim4,stim5,stim6,stim7,stim8,stim9,stim10,stim11,stim12,stim13,stim14";

    [Fact]
    public void MissingColumnNamesFileAndColumn()
    {
        using var dir = new TempDir();
        string path = WriteLanguageCsv(dir, "a.csv", Header.Replace(",stim7", "") + "\n1,A,B,C,D,E,F,G,H,I,J,K,S\n");
        var error = Assert.Throws<LlmLocException>(() => LanguageStimuli.Load(dir.Path));
        Assert.Contains(path, error.Message);
        Assert.Contains("'stim7'", error.Message);
    }

    [Fact]
    public void EmptyWordIsRejectedWithItsPlace()
    {
        using var dir = new TempDir();
        WriteLanguageCsv(dir, "a.csv", Header + "\n1,A,B,,D,E,F,G,H,I,J,K,L,S\n");
        var error = Assert.Throws<LlmLocException>(() => LanguageStimuli.Load(dir.Path));
        Assert.Contains("line 2", error.Message);
        Assert.Contains("stim4", error.Message);
    }

    [Fact]
    public void QuotedFieldsCrlfAndBlankLinesAreReadLikePandas()
    {
        using var dir = new TempDir();
        WriteLanguageCsv(dir, "b.csv", "\uFEFF" + Header + "\r\n\r\n1,\"Hello, \"\"World\"\"\",B,C,D,E,F,G,H,I,J,K,L,S\r\n2,x,y,z,x,y,z,x,y,z,x,y,z,N\r\n   \r\n3,Q,Q,Q,Q,Q,Q,Q,Q,Q,Q,Q,Q,X\r\n");
        WriteLanguageCsv(dir, "a.csv", Header + "\n1,First,B,C,D,E,F,G,H,I,J,K,L,S");
        var stimuli = LanguageStimuli.Load(dir.Path);
        Assert.Equal(["first b c d e f g h i j k l", "hello, \"world\" b c d e f g h i j k l"], stimuli.Positive);
        Assert.Equal(["x y z x y z x y z x y z"], stimuli.Negative);
    }
}
