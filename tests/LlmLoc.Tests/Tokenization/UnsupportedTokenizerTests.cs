using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tokenization;

namespace LlmLoc.Tests.Tokenization;

/// <summary>Tokenizers llmloc cannot reproduce exactly must be refused with a one-line message naming what was found.</summary>
public class UnsupportedTokenizerTests
{
    static LlmLocException LoadJson(string json)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokenizer.json"), json);
        return Assert.Throws<LlmLocException>(() => HfTokenizer.FromFolder(dir.Path));
    }

    [Theory]
    [InlineData("""{"model": {"type": "WordPiece", "vocab": {"a": 0}}}""", "WordPiece")]
    [InlineData("""{"model": {"type": "Unigram", "vocab": [["a", 0.0]]}}""", "Unigram")]
    [InlineData("""{"normalizer": {"type": "BertNormalizer"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "byte_fallback": true}}""", "BertNormalizer")]
    [InlineData("""{"pre_tokenizer": {"type": "Whitespace"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "byte_fallback": true}}""", "Whitespace")]
    [InlineData("""{"pre_tokenizer": {"type": "ByteLevel"}, "post_processor": {"type": "BertProcessing"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""", "BertProcessing")]
    public void Unsupported_parts_are_named(string json, string named)
    {
        var e = LoadJson(json);
        Assert.Contains(named, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Missing_files_and_folder_are_reported()
    {
        using var dir = new TempDir();
        Assert.Contains("no tokenizer files", Assert.Throws<LlmLocException>(() => HfTokenizer.FromFolder(dir.Path)).Message);
        Assert.Contains("does not exist", Assert.Throws<LlmLocException>(() => HfTokenizer.FromFolder(dir.File("nope"))).Message);
        File.WriteAllText(dir.File("vocab.txt"), "[PAD]\n");
        Assert.Contains("WordPiece", Assert.Throws<LlmLocException>(() => HfTokenizer.FromFolder(dir.Path)).Message);
    }

    [Fact]
    public void Unknown_ids_cannot_be_decoded() =>
        Assert.Contains("60000", Assert.Throws<LlmLocException>(() => TokenizerFixtures.Gpt2.Decode([60000])).Message);
}
