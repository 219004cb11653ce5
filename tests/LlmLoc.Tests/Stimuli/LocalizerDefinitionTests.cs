using LlmLoc.Masks;
using LlmLoc.Sessions;
using LlmLoc.Stimuli;

namespace LlmLoc.Tests.Stimuli;

/// <summary>Localizer definition files: the three condition formats, the checks made before any model work, the
/// export of the built-ins (exact strings, round trip) and the hash of custom cache names.</summary>
public sealed class LocalizerDefinitionTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    string Write(string name, string text)
    {
        string path = dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    string Definition(string body) => Write("loc/def.toml", body);

    [Fact]
    public void TextCsvAndJsonlConditionsReadTheirItemsInFileOrder()
    {
        Write("loc/data/pos.txt", "\uFEFFfirst item\r\n\n   \nsecond  item \nthird\n");
        Write("loc/data/pairs.csv", "id,good,bad\n1,\"a, quoted\nitem\",x\n2,plain,y\n3,,z\n");
        Write("loc/lines.jsonl", "{\"sentence\": \"line\\none\", \"n\": 1}\n\n{\"sentence\": \"two\"}\n");
        var definition = LocalizerFile.Read(Definition("""
            name = "my-loc"
            description = "a test"
            positive = "data/pos.txt"
            negative = { path = "data/pairs.csv", column = "good" }
            max_tokens = 7
            pooling = "mean"
            """));
        var stimuli = definition.LoadStimuli("unused", 0);
        Assert.Equal(["first item", "second  item ", "third"], stimuli.Positive);
        Assert.Equal(["a, quoted\nitem", "plain"], stimuli.Negative);
        Assert.Equal((7, Pooling.Mean, "a test", false), (definition.MaxTokens, definition.DefaultPooling, definition.Description, definition.IsBuiltIn));

        var jsonl = LocalizerFile.Read(Write("loc/j.toml", """
            name = "j"
            positive = { path = "lines.jsonl", field = "sentence" }
            negative = "data/pos.txt"
            """));
        Assert.Equal(["line\none", "two"], jsonl.LoadStimuli("", 0).Positive);
        Assert.Null(jsonl.MaxTokens);
        Assert.Null(jsonl.DefaultPooling);
    }

    public static TheoryData<string, string> BadDefinitions => new()
    {
        { "positive = \"a.txt\"\nnegative = \"b.txt\"", "'name' is required" },
        { "name = \"../up\"\npositive = \"a.txt\"\nnegative = \"b.txt\"", "\"../up\" is not a localizer name" },
        { "name = \"a/b\"\npositive = \"a.txt\"\nnegative = \"b.txt\"", "\"a/b\" is not a localizer name" },
        { "name = \"Lang\"\npositive = \"a.txt\"\nnegative = \"b.txt\"", "\"Lang\" is not a localizer name" },
        { "name = \"random\"\npositive = \"a.txt\"\nnegative = \"b.txt\"", "is a lesion condition" },
        { "name = \"x\"\npositive = \"missing.txt\"\nnegative = \"b.txt\"", "missing.txt does not exist" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = \"empty.txt\"", "holds 0 items" },
        { "name = \"x\"\npositive = \"one.txt\"\nnegative = \"b.txt\"", "holds 1 item:" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = \"t.csv\"", "give { path = \"…\", column = \"…\" }" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = { path = \"t.csv\", column = \"nope\" }", "has no column 'nope' (columns: good, bad)" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = { path = \"t.jsonl\", field = \"nope\" }", "t.jsonl line 1 has no string field \"nope\"" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = \"b.docx\"", "condition files end in .txt, .csv or .jsonl" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = \"b.txt\"\nmax_tokens = 0", "'max_tokens' must be a positive integer" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = \"b.txt\"\npooling = \"max\"", "'pooling' must be \"last-token\" or \"mean\"" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = \"b.txt\"\nnetwork = \"y\"", "'network' is not a definition key" },
        { "name = \"x\"\npositive = \"a.txt\"\nnegative = \"b.txt", "is not valid TOML" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public void BadDefinitionsAreOneLineInputErrors(string body, string message)
    {
        Write("loc/a.txt", "one\ntwo\n");
        Write("loc/b.txt", "three\nfour\n");
        Write("loc/one.txt", "only\n\n");
        Write("loc/empty.txt", "\n  \n");
        Write("loc/t.csv", "good,bad\nx,y\n");
        Write("loc/t.jsonl", "{\"good\": \"x\"}\n");
        var error = Assert.Throws<LlmLocException>(() => LocalizerFile.Read(Definition(body)));
        Assert.Equal(ExitCodes.InputError, error.ExitCode);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AMissingDefinitionFileIsNamed()
    {
        var error = Assert.Throws<LlmLocException>(() => LocalizerFile.Read(dir.File("none.toml")));
        Assert.Contains("none.toml does not exist", error.Message);
    }

    /// <summary>Reference values from Python: hashlib.sha256 over struct.pack('&lt;I', …) of the documented encoding.</summary>
    [Theory]
    [InlineData(new[] { 1, 2, 3 }, new[] { 4 }, new[] { 5, 6 }, new[] { 70000 }, "94d8c884")]
    [InlineData(new[] { 1, 2, 3 }, new[] { 4 }, new[] { 5, 6 }, new[] { 70001 }, "57e0adce")]
    [InlineData(new[] { 1, 2 }, new[] { 3, 4 }, new[] { 5, 6 }, new[] { 70000 }, "373705e3")]
    public void TheIdsHashIsTheDocumentedSha256(int[] p1, int[] p2, int[] n1, int[] n2, string expected)
    {
        Assert.Equal(expected, CustomNetworks.IdsHash([p1, p2], [n1, n2]));
        Assert.Equal($"lang-es-{expected}", CustomNetworks.NetworkName("lang-es", [p1, p2], [n1, n2]));
    }

    [Theory]
    [InlineData("language", ".txt")]
    [InlineData("theory-of-mind", ".jsonl")]
    [InlineData("multiple-demand", ".jsonl")]
    public void AnExportReadsBackAsExactlyTheBuiltInsItems(string network, string extension)
    {
        string stimuli = Shared.Path_("stimuli"), output = dir.File("export");
        var written = LocalizerExport.Write(new LocalizerExportOptions { Network = network, OutputDir = output, StimuliDir = stimuli, Seed = 7 }, TextWriter.Null);
        Assert.Equal(3, written.Count);
        Assert.All(written.Skip(1), path => Assert.EndsWith(extension, path));
        var builtIn = LocalizerDefinition.BuiltIn(network)!;
        var copy = LocalizerFile.Read(written[0]);
        Assert.Equal($"{network}-copy", copy.Name);
        Assert.Equal(builtIn.MaxTokens, copy.MaxTokens);
        Assert.Equal(Pooling.LastToken, copy.DefaultPooling);
        var expected = builtIn.LoadStimuli(stimuli, 7);
        var actual = copy.LoadStimuli("", 0);
        Assert.Equal(expected.Positive, actual.Positive);
        Assert.Equal(expected.Negative, actual.Negative);
        Assert.False(LocalizerReference.IsBuiltIn(copy, stimuli, 7));
    }

    [Fact]
    public void ACopyNamedLikeTheBuiltInIsTheBuiltInOnlyWithItsExactItems()
    {
        string stimuli = Shared.Path_("stimuli");
        var written = LocalizerExport.Write(new LocalizerExportOptions { Network = "theory-of-mind", OutputDir = dir.File("tom"), StimuliDir = stimuli, Name = "theory-of-mind" }, TextWriter.Null);
        var copy = LocalizerFile.Read(written[0]);
        Assert.True(LocalizerReference.IsBuiltIn(copy, stimuli, seed: 42));
        // Another seed draws other answers: the copy is no longer the built-in, and keeps its name only by mistake.
        var error = Assert.Throws<LlmLocException>(() => LocalizerReference.IsBuiltIn(copy, stimuli, seed: 1));
        Assert.Contains("is named 'theory-of-mind' like the built-in, but its items differ", error.Message);

        File.WriteAllText(written[1], File.ReadAllText(written[1]).Replace("Garcia", "Smith"));
        error = Assert.Throws<LlmLocException>(() => LocalizerReference.IsBuiltIn(LocalizerFile.Read(written[0]), stimuli, seed: 42));
        Assert.Contains("give it another name", error.Message);
    }

    [Fact]
    public void ExportRefusesANameThatIsNotALocalizerName()
    {
        var error = Assert.Throws<LlmLocException>(() => LocalizerExport.Write(
            new LocalizerExportOptions { Network = "language", OutputDir = dir.File("x"), StimuliDir = Shared.Path_("stimuli"), Name = "My Lang" }, TextWriter.Null));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.False(Directory.Exists(dir.File("x")));
    }
}
