using System.Text.Json.Nodes;
using LlmLoc.Tokenization;
using static LlmLoc.Tests.Infrastructure.FamilyTokenizerFiles;

namespace LlmLoc.Tests.Tokenization;

/// <summary>
/// Hand-made tokenizer.json files of the later families' shapes. The expected ids are derived step by step from
/// HF tokenizers' documented pipeline: added tokens are split off first, then the normalizer, the pre-tokenizer,
/// the BPE model (lowest-rank merge first, within each pre-tokenized piece) and the post-processor.
/// </summary>
public class LaterFamilyTokenizerTests
{
    static Dictionary<string, int> Vocab(params string[] tokens) => tokens.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);

    static HfTokenizer Load(TempDir dir, string shape, Dictionary<string, int> vocab, (string, string)[] merges, Added[] added, JsonObject? config = null)
    {
        Write(dir.Path, shape, vocab, merges, added, config);
        return HfTokenizer.FromFolder(dir.Path);
    }

    // GPT-NeoX (Pythia, OLMo): ids 0/1 special, 21 = two spaces, a non-special added token as in gpt-neox-20b.
    static readonly Dictionary<string, int> NeoXVocab = Vocab("<|endoftext|>", "<|padding|>", "c", "a", "f", "Ã", "©", "u", "Ġ", "l", "i", "t",
        "ca", "caf", "Ã©", "cafÃ©", "au", "Ġl", "ai", "Ġlai", "Ġlait");
    static readonly (string, string)[] NeoXMerges = [("c", "a"), ("ca", "f"), ("Ã", "©"), ("caf", "Ã©"), ("a", "u"), ("Ġ", "l"), ("a", "i"), ("Ġl", "ai"), ("Ġlai", "t")];
    static readonly Added[] NeoXAdded = [new(0, "<|endoftext|>", true), new(1, "<|padding|>", true), new(21, "  ", false)];

    [Fact]
    public void GptNeoXByteLevelBpeGivesHfIds()
    {
        using var dir = new TempDir();
        var t = Load(dir, "gpt_neox", NeoXVocab, NeoXMerges, NeoXAdded);
        // "cafe\u0301  au lait": the added token "  " is split off first → "cafe\u0301" | "  " | "au lait".
        // NFC composes e + U+0301 into é (bytes C3 A9 → "Ã©"); GPT-2's regex keeps "café" one piece and
        // c a f Ã © merge by rank into cafÃ© (15). "au lait" → "au" (16) and " lait" → Ġ l a i t →
        // Ġl, then ai, then Ġlai, then Ġlait (20). No BOS: GPTNeoXTokenizerFast's add_bos_token defaults to false.
        Assert.Equal([15, 21, 16, 20], t.Encode("cafe\u0301  au lait"));
        Assert.Equal([15, 21, 16, 20], t.Encode("café  au lait"));
        Assert.Equal("café  au lait", t.Decode([15, 21, 16, 20]));
        Assert.Equal(0, t.EosTokenId);
        Assert.Equal(0, t.PadTokenId);
    }

    [Fact]
    public void GptNeoXAddBosTokenRebuildsThePostProcessor()
    {
        // add_bos_token: true in tokenizer_config.json makes GPTNeoXTokenizerFast prepend bos_token (id 0),
        // although tokenizer.json's post-processor (ByteLevel) adds nothing.
        using var dir = new TempDir();
        var t = Load(dir, "gpt_neox", NeoXVocab, NeoXMerges, NeoXAdded, new JsonObject { ["add_bos_token"] = true });
        Assert.Equal([0, 15, 21, 16, 20], t.Encode("café  au lait"));
    }

    [Fact]
    public void Qwen2SplitRegexThenByteLevelGivesHfIds()
    {
        using var dir = new TempDir();
        var vocab = Vocab("<|endoftext|>", "<|im_start|>", "H", "i", "Hi", "Ġ", "0", "2", "4", "'", "s", "'s", "!", "Ċ", "ĊĊ", "x", "Ġx", "Ã", "©", "Ã©");
        var t = Load(dir, "qwen2", vocab, [("H", "i"), ("'", "s"), ("Ċ", "Ċ"), ("Ġ", "x"), ("Ã", "©")],
            [new(0, "<|endoftext|>", true), new(1, "<|im_start|>", true)]);
        // <|im_start|> is split off (1). Qwen's regex cuts "Hi 2024's!\n\n  x e\u0301" (after NFC: "… x é") into
        // "Hi" | " " (\s+ alone: a space before a digit joins nothing) | "2" | "0" | "2" | "4" (\p{N}: single digits)
        // | "'s" (contraction) | "!\n\n" (punctuation run + newlines) | " " (\s+(?!\S) leaves the last space)
        // | " x" | " é" (one leading non-letter + letters). Byte-level: " " → Ġ, "\n" → Ċ, é → Ã©.
        // BPE: Hi=4, Ġ=5, 2=7, 0=6, 4=8, 's=11, "!ĊĊ" → ! + ĊĊ = 12, 14, Ġ=5, Ġx=16, " é" → Ġ + Ã© = 5, 19.
        // GPT-2's regex would instead give " 2024" and "'s" pieces differently; without NFC, U+0301 has no token.
        int[] expected = [1, 4, 5, 7, 6, 7, 8, 11, 12, 14, 5, 16, 5, 19];
        Assert.Equal(expected, t.Encode("<|im_start|>Hi 2024's!\n\n  x e\u0301"));
        Assert.Equal("Hi 2024's!\n\n  x é", t.Decode(expected, skipSpecialTokens: true));
        Assert.Null(t.BosTokenId); // Qwen2 has no BOS and adds none
        Assert.Equal(0, t.PadTokenId);
    }

    [Fact]
    public void Gemma2SentencePieceStyleBpeWithByteFallbackGivesHfIds()
    {
        using var dir = new TempDir();
        var vocab = Vocab("<pad>", "<eos>", "<bos>", "<unk>", "<0xE2>", "<0x82>", "<0xAC>", "H", "e", "l", "o", "▁", "w", "r", "d", "5",
            "ll", "He", "Hell", "Hello", "▁w", "or", "▁wor", "▁worl", "▁world");
        var t = Load(dir, "gemma2", vocab,
            [("l", "l"), ("H", "e"), ("He", "ll"), ("Hell", "o"), ("▁", "w"), ("o", "r"), ("▁w", "or"), ("▁wor", "l"), ("▁worl", "d")],
            [new(0, "<pad>", true), new(1, "<eos>", true), new(2, "<bos>", true), new(3, "<unk>", true)]);
        // Normalizer: spaces → ▁, no dummy prefix (Gemma's SentencePiece has none), no pre-tokenizer: the whole
        // "Hello▁world▁€5" is one BPE word. € is not in the vocabulary → byte fallback <0xE2><0x82><0xAC> (4, 5, 6).
        // Merges by rank: ll, He, Hell, Hello (19); ▁w, or, ▁wor, ▁worl, ▁world (24); the lone ▁ stays (11); 5 = 15.
        // The template post-processor puts <bos> (2) first.
        int[] expected = [2, 19, 24, 11, 4, 5, 6, 15];
        Assert.Equal(expected, t.Encode("Hello world €5"));
        Assert.Equal("Hello world €5", t.Decode(expected, skipSpecialTokens: true));
        Assert.Equal(2, t.BosTokenId);
        Assert.Equal(1, t.EosTokenId);
    }
}
