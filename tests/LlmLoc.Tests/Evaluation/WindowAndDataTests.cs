using LlmLoc.Evaluation;
using LlmLoc.Models;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tokenization;

namespace LlmLoc.Tests.Evaluation;

/// <summary>Windowing, window size, the built-in pairs and the JSONL error messages (no model needed).</summary>
public class WindowAndDataTests
{
    static readonly IReadOnlyList<int> Eleven = Enumerable.Range(100, 11).ToArray();

    [Fact]
    public void WindowsWithAContextTokenScoreEveryToken()
    {
        var windows = TextWindows.Split([Eleven, new[] { 7 }], new ScoringContext([50256]), windowSize: 5);
        Assert.Equal([4, 4, 3, 1], windows.Select(w => w.Input.ScoredCount));
        Assert.Equal([0, 0, 0, 1], windows.Select(w => w.Document));
        Assert.All(windows, w => Assert.Equal(50256, w.Input.Ids[0]));
        Assert.Equal(Eleven, windows.Take(3).SelectMany(w => w.Input.Ids.Skip(1)));
    }

    [Fact]
    public void WindowsWithoutContextSkipEachWindowsFirstToken()
    {
        var windows = TextWindows.Split([Eleven], new ScoringContext([]), windowSize: 5);
        // Chunks of 5, 5, 1: the last has nothing to predict from and is dropped.
        Assert.Equal([4, 4], windows.Select(w => w.Input.ScoredCount));
    }

    [Fact]
    public void WindowSizeIsTheSmallestLimit()
    {
        var config = ModelConfig.Load(TinyGpt2.Folder); // n_positions 256; tokenizer model_max_length 1024
        Assert.Equal(256, TextWindows.WindowSize(config, 1024, null));
        Assert.Equal(16, TextWindows.WindowSize(config, 1024, 16));
        Assert.Equal(100, TextWindows.WindowSize(config, 100, null));
    }

    [Fact]
    public void DefaultWindowIs2048UnlessTheContextIsSmallerOrACapIsGiven()
    {
        var config = ModelConfig.Parse("""{"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 8, "vocab_size": 10, "max_position_embeddings": 131072}""");
        Assert.Equal(2048, TextWindows.WindowSize(config, 131072, null));
        Assert.Equal(4096, TextWindows.WindowSize(config, 131072, 4096));
        Assert.Equal(1000, TextWindows.WindowSize(config, 1000, null));
    }

    [Fact]
    public void BuiltinPairsCoverThreePhenomena()
    {
        var pairs = MinimalPairs.Load("builtin");
        Assert.Equal(36, pairs.Count);
        Assert.Equal(["argument_structure", "filler_gap", "subject_verb_agreement"], pairs.Select(p => p.Phenomenon).Distinct().Order());
        Assert.All(pairs, p => Assert.NotEqual(p.Good, p.Bad));
    }

    /// <summary>Scores are summed log-probabilities, so a pair whose sentences differ in length could be solved by
    /// length alone; every built-in pair has equal token counts under GPT-2's and Llama-2/Mistral's tokenizers.</summary>
    [Theory]
    [InlineData("gpt2")]
    [InlineData("mistral")]
    public void BuiltinPairsHaveEqualTokenCounts(string tokenizerFolder)
    {
        var tokenizer = HfTokenizer.FromFolder(Shared.Path_("tokenizers", tokenizerFolder));
        var unequal = MinimalPairs.Builtin()
            .Select(p => (p, Good: tokenizer.Encode(p.Good, addSpecialTokens: false).Count, Bad: tokenizer.Encode(p.Bad, addSpecialTokens: false).Count))
            .Where(x => x.Good != x.Bad).Select(x => $"{x.p.Good} ({x.Good}) / {x.p.Bad} ({x.Bad})").ToList();
        Assert.Empty(unequal);
        Assert.True(tokenizer.Encode("The sun rose the hills.", addSpecialTokens: false).Count
                    < tokenizer.Encode("The sun rose over the hills.", addSpecialTokens: false).Count); // the check can fail
    }

    [Fact]
    public void BlimpLinesUseUidAndIgnoreOtherFields()
    {
        var pairs = MinimalPairs.Parse(new StringReader(
            "{\"sentence_good\": \"A b.\", \"sentence_bad\": \"A c.\", \"field\": \"syntax\", \"UID\": \"anaphor_gender_agreement\", \"pairID\": \"0\"}\n\n" +
            "{\"sentence_good\": \"D e.\", \"sentence_bad\": \"D f.\"}\n"), "blimp.jsonl");
        Assert.Equal([new MinimalPair("A b.", "A c.", "anaphor_gender_agreement"), new MinimalPair("D e.", "D f.", null)], pairs);
    }

    [Theory]
    [InlineData("{\"sentence_good\": \"a\", \"sentence_bad\": \"b\"}\n{\"sentence_good\": \"a\",\n", "line 2 is not valid JSON")]
    [InlineData("{\"sentence_good\": \"a\", \"sentence_bad\": \"b\"}\n\n{\"sentence_good\": \"a\"}\n", "line 3 has no string field \"sentence_bad\"")]
    [InlineData("[1, 2]\n", "line 1 is a JSON array")]
    [InlineData("{\"sentence_good\": \"  \", \"sentence_bad\": \"b\"}\n", "line 1 has an empty \"sentence_good\"")]
    [InlineData("\n\n", "holds no minimal pairs")]
    public void MalformedPairFilesNameTheLine(string content, string expected)
    {
        var error = Assert.Throws<LlmLocException>(() => MinimalPairs.Parse(new StringReader(content), "pairs.jsonl"));
        Assert.Contains(expected, error.Message);
        Assert.Contains("pairs.jsonl", error.Message);
    }

    [Fact]
    public void TextJsonLinesNeedATextField()
    {
        Assert.Equal(["one", "two"], TextDocuments.ParseJsonLines("{\"text\": \"one\"}\n{\"text\": \"two\", \"id\": 3}\n", "t.jsonl"));
        var error = Assert.Throws<LlmLocException>(() => TextDocuments.ParseJsonLines("{\"text\": \"one\"}\n{\"body\": \"two\"}\n", "t.jsonl"));
        Assert.Contains("t.jsonl line 2 has no string field \"text\"", error.Message);
    }
}
