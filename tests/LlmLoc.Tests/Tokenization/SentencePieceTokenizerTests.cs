using PaddedBatch = LlmLoc.Models.PaddedBatch;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tokenization;

namespace LlmLoc.Tests.Tokenization;

/// <summary>
/// tokenizer.model through ML.Tokenizers' LlamaTokenizer, on a hand-written model. Expected ids are derived by
/// hand with SentencePiece BPE: start from characters ("▁" for spaces, one "▁" dummy prefix per segment),
/// repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece; characters missing from
/// the vocabulary fall back to their UTF-8 byte pieces &lt;0xXX&gt; (id 3 + byte).
/// </summary>
public class SentencePieceTokenizerTests
{
    // ids: ▁ 259, a 260, b 261, c 262, ▁a 263, ab 264, ▁ab 265, bc 266
    static readonly (string, float)[] Pieces =
        [("▁", -1), ("a", -2), ("b", -3), ("c", -4), ("▁a", -5), ("ab", -6), ("▁ab", -7), ("bc", -8)];

    static HfTokenizer Load(string? config = null, bool addDummyPrefix = true)
    {
        var dir = new TempDir();
        File.WriteAllBytes(dir.File("tokenizer.model"), SentencePieceModelBuilder.LlamaLike(Pieces, addDummyPrefix));
        if (config is not null) File.WriteAllText(dir.File("tokenizer_config.json"), config);
        try { return HfTokenizer.FromFolder(dir.Path); }
        finally { dir.Dispose(); }
    }

    [Theory]
    [InlineData("ab", new[] { 1, 265 })]              // ▁ a b → ▁a (-5 beats ab -6) → ▁ab
    [InlineData("abc", new[] { 1, 265, 262 })]        // ▁ab + c: "▁abc" is no piece
    [InlineData("ba", new[] { 1, 259, 261, 260 })]    // no pair is a piece
    [InlineData("bc a", new[] { 1, 259, 266, 263 })]  // ▁ bc ▁a
    [InlineData(" a", new[] { 1, 259, 263 })]         // leading space → extra ▁
    [InlineData("a\n", new[] { 1, 263, 13 })]         // newline → <0x0A> = 3 + 10
    [InlineData("é", new[] { 1, 259, 198, 172 })]     // U+00E9 → <0xC3> <0xA9>
    [InlineData("<s>a</s> b", new[] { 1, 1, 263, 2, 259, 259, 261 })] // ▁ prefix on every segment
    [InlineData("", new[] { 1 })]
    public void Ids_follow_sentencepiece_bpe(string text, int[] expected) =>
        Assert.Equal(expected, Load().Encode(text));

    [Fact]
    public void Special_tokens_truncation_and_padding()
    {
        var t = Load();
        Assert.Equal(1, t.BosTokenId);
        Assert.Equal(2, t.EosTokenId);
        Assert.Equal(2, t.PadTokenId);
        Assert.Equal(267, t.VocabSize);
        Assert.Equal([1, 259, 261], t.Encode("ba", maxLength: 3));   // BOS counts toward max_length
        Assert.Equal([259, 261, 260], t.Encode("ba", addSpecialTokens: false));
        var batch = new PaddedBatch([t.Encode("ba", maxLength: 3), t.Encode("ab", maxLength: 3)], t.PadTokenId);
        Assert.Equal([3L, 2], batch.Lengths);
        Assert.Equal([1L, 259, 261, 1, 265, 2], batch.Ids);
        Assert.Equal([1L, 1, 1, 1, 1, 0], batch.Mask);
    }

    [Fact]
    public void Decode_strips_the_dummy_prefix_and_joins_bytes()
    {
        var t = Load();
        Assert.Equal("bc a\né", t.Decode([1, 259, 266, 263, 13, 198, 172], skipSpecialTokens: true));
        Assert.Equal("<s> ab</s>", t.Decode([1, 265, 2]));
        Assert.Equal("\uFFFD", t.Decode([198]));  // lone lead byte
    }

    [Fact]
    public void Config_flags_and_pad()
    {
        var t = Load("""{"add_bos_token": false, "add_eos_token": true, "eos_token": "</s>", "pad_token": "<unk>", "model_max_length": 4096}""");
        Assert.Equal([265, 2], t.Encode("ab"));
        Assert.Equal(4096, t.ModelMaxLength);
        Assert.Equal(2, t.PadTokenId);  // eos wins over the configured pad, as localize.py does
    }

    [Fact]
    public void Without_dummy_prefix_no_leading_piece()
    {
        var t = Load(addDummyPrefix: false);   // Gemma-style normalizer
        Assert.Equal([1, 264], t.Encode("ab"));
        Assert.Equal("ab", t.Decode([1, 264], skipSpecialTokens: true));
    }
}
