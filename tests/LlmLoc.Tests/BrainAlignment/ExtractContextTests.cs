using LlmLoc.Extraction;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;
using LlmLoc.Tokenization;

namespace LlmLoc.Tests.BrainAlignment;

/// <summary>extract --context passage as Brain-Score feeds Pereira passages, and the input's columns in the item table.</summary>
public class ExtractContextTests
{
    static string Model => Shared.Fixture("models", "gpt2");

    [Fact]
    public void PassageContextReadsTheBrainScoreContextAndItsLastToken()
    {
        // Spaces before punctuation vanish over the whole context; the context restarts per passage; passages interleave.
        string[] a = ["The cat sat on the mat .", ", and then it slept", "It purred  !"], b = ["Rain ;", "then sun ."];
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("p.csv"), ["passage,text", $"a,{a[0]}", $"b,{b[0]}", $"a,\"{a[1]}\"", $"b,{b[1]}", $"a,{a[2]}"]);
        var run = CliRunner.Run("extract", "--model-name", Model, "--input", dir.File("p.csv"), "--output", dir.File("ctx.npy"), "--context", "passage");
        Assert.True(run.ExitCode == 0, run.Stderr);
        string[] contexts = [PassageContext.Prepare(a[..1]), PassageContext.Prepare(b[..1]), PassageContext.Prepare(a[..2]), PassageContext.Prepare(b), PassageContext.Prepare(a)];
        Assert.Equal("The cat sat on the mat., and then it slept", contexts[2]);
        Assert.Equal("The cat sat on the mat., and then it slept It purred!", contexts[4]);
        File.WriteAllLines(dir.File("contexts.txt"), contexts);
        var alone = CliRunner.Run("extract", "--model-name", Model, "--input", dir.File("contexts.txt"), "--output", dir.File("alone.npy"));
        Assert.True(alone.ExitCode == 0, alone.Stderr);
        float[] withContext = Npy.Read(dir.File("ctx.npy")).ToFloats(), expected = Npy.Read(dir.File("alone.npy")).ToFloats();
        Assert.Equal(expected.Length, withContext.Length);
        double worst = expected.Zip(withContext, (x, y) => Math.Abs(x - y) / Math.Max(1, Math.Abs(x))).Max();
        Assert.True(worst <= 1e-5, $"differs by {worst}");
        var tokenizer = HfTokenizer.FromFolder(Model);
        Assert.Equal(contexts.Select(c => tokenizer.Encode(c).Count.ToString()),
            File.ReadAllLines(dir.File("ctx.items.csv")).Skip(1).Select(l => l.Split(',')[^2]));
    }

    /// <summary>
    /// A passage far longer than the window: each item's tokens are the last window tokens of its whole context
    /// (a leading BOS kept), although only the latest items are tokenized; the dropped count is exact while the whole
    /// context is tokenized and counted item by item after that.
    /// </summary>
    [Theory, InlineData("gpt2"), InlineData("mistral")]
    public void ContextsCutBeforeTokenizingKeepTheLastWindowTokensOfTheWholeContext(string tokenizerName)
    {
        var tokenizer = tokenizerName == "gpt2" ? HfTokenizer.FromFolder(Model) : HfTokenizer.FromFolder(Shared.Path_("tokenizers", "mistral"));
        var random = new Random(5);
        string[] words = ["the", "colourless", "green", "ideas", "sleep", "furiously", "while", "Dr.", "Smith's", "cat", "naps", "42", "times"];
        string[] punctuation = [".", " ,", " !", "?", " ;", ":", ""];
        var items = Enumerable.Range(0, 120).Select(i => new ExtractionItem(i, i + 2,
            string.Join(' ', Enumerable.Range(0, random.Next(3, 12)).Select(_ => words[random.Next(words.Length)])) + punctuation[random.Next(punctuation.Length)],
            i % 40 == 0 ? "other" : "long")).ToList();
        const int window = 64;
        var result = PassageContext.Tokenize(items, tokenizer, window, "test.csv");
        var truncated = new HashSet<string?>();
        for (int i = 0; i < items.Count; i++)
        {
            var earlier = items.Take(i + 1).Where(x => x.Passage == items[i].Passage).Select(x => x.Text);
            var whole = tokenizer.Encode(PassageContext.Prepare(earlier));
            int front = tokenizer.BosTokenId is { } bos && whole[0] == bos ? 1 : 0;
            IReadOnlyList<int> expected = whole.Count <= window ? whole : [.. whole.Take(front), .. whole.Skip(whole.Count - window + front)];
            Assert.Equal(expected, result[i].Ids);
            int exact = Math.Max(0, whole.Count - window);
            if (exact == 0 || truncated.Add(items[i].Passage)) Assert.Equal(exact, result[i].Dropped); // the first cut of a passage: whole context
            else Assert.True(Math.Abs(result[i].Dropped - exact) <= 0.05 * exact, $"item {i}: dropped {result[i].Dropped}, exactly {exact}");
        }
        Assert.True(result.Count(r => r.Dropped > 300) > 20, "most contexts are far longer than the window");
    }

    [Fact]
    public async Task InputColumnsArePassedThroughToTheItemTable()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("s.csv"), ["stimulus_id,passage,text,experiment", "243.0,p1,One.,243sentences", "384.7,p2,\"Two, too.\",384sentences"]);
        var csv = CliRunner.Run("extract", "--model-name", Model, "--input", dir.File("s.csv"), "--output", dir.File("c.npy"));
        Assert.True(csv.ExitCode == 0, csv.Stderr);
        Assert.Equal(["item,line,passage,text,tokens,context_tokens_dropped,stimulus_id,experiment", "0,2,p1,One.,2,0,243.0,243sentences",
            "1,3,p2,\"Two, too.\",4,0,384.7,384sentences"], File.ReadAllLines(dir.File("c.items.csv")));

        File.WriteAllLines(dir.File("s.jsonl"), ["{\"text\": \"One.\", \"experiment\": \"e1\", \"n\": 3}", "{\"text\": \"Two.\", \"flag\": true}"]);
        var jsonl = CliRunner.Run("extract", "--model-name", Model, "--input", dir.File("s.jsonl"), "--output", dir.File("j.npy"), "--items", dir.File("j.parquet"));
        Assert.True(jsonl.ExitCode == 0, jsonl.Stderr);
        var table = await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(dir.File("j.parquet")));
        Assert.Equal(["item", "line", "passage", "text", "tokens", "context_tokens_dropped", "experiment", "n", "flag"], table.Schema.GetDataFields().Select(f => f.Name));
        Assert.Equal(["e1", ""], table.Data.Select(r => (string)r["experiment"]!));
        Assert.Equal(["3", ""], table.Data.Select(r => (string)r["n"]!));
        Assert.Equal(["", "true"], table.Data.Select(r => (string)r["flag"]!));
        Assert.Equal(["e1", ""], ItemTable.ReadColumn(dir.File("j.parquet"), "experiment", "--items"));
        Assert.Equal(["243sentences", "384sentences"], ItemTable.ReadColumn(dir.File("c.items.csv"), "experiment", "--items"));
        // The typed reader of the fixed columns still reads it.
        var typed = (await Parquet.Serialization.ParquetSerializer.DeserializeAsync<ExtractRun.ItemRow>(dir.File("j.parquet"))).Data;
        Assert.Equal(["One.", "Two."], typed.Select(r => r.text));
    }

    [Fact]
    public void AnInputColumnNamedLikeAnItemTableColumnIsAnErrorBeforeTheModelLoads()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("s.csv"), ["text,tokens", "One.,5"]);
        var run = CliRunner.Run("extract", "--model-name", Model, "--input", dir.File("s.csv"), "--output", dir.File("c.npy"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"llmloc: error: {dir.File("s.csv")} has a column 'tokens', which the item table computes itself: rename that column (other columns are copied to the item table)",
            run.Stderr.Trim());
        Assert.False(File.Exists(dir.File("c.npy")));
    }
}
