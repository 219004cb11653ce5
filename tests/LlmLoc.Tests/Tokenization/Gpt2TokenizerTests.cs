using PaddedBatch = LlmLoc.Models.PaddedBatch;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tokenization;
using Xunit.Abstractions;
using static LlmLoc.Tests.Tokenization.TokenizerFixtures;

namespace LlmLoc.Tests.Tokenization;

/// <summary>GPT-2 (vocab.json + merges.txt, and the embedded copy) against transformers 4.44.2's GPT2Tokenizer ids.</summary>
public class Gpt2TokenizerTests
{
    public static TheoryData<string> Sets => new() { "language", "tom", "md", "tricky" };

    [Theory, MemberData(nameof(Sets))]
    public void Ids_equal_hf(string set) =>
        Assert.Empty(Mismatches(Entries("gpt2", set), e => (Ints(e["ids"]), Gpt2.Encode((string)e["text"]!))));

    [Theory, InlineData("language"), InlineData("tricky")]
    public void Truncated_ids_equal_hf(string set) =>
        Assert.Empty(Mismatches(Entries("gpt2", set), e => (Ints(e["ids_trunc12"]), Gpt2.Encode((string)e["text"]!, maxLength: 12))));

    [Theory, MemberData(nameof(Sets))]
    public void Embedded_gpt2_equals_hf(string set) =>
        Assert.Empty(Mismatches(Entries("gpt2", set), e => (Ints(e["ids"]), Gpt2Embedded.Encode((string)e["text"]!))));

    [Fact]
    public void Embedded_gpt2_truncates_and_decodes_like_hf()
    {
        Assert.Empty(Mismatches(Entries("gpt2", "language"), e => (Ints(e["ids_trunc12"]), Gpt2Embedded.Encode((string)e["text"]!, maxLength: 12))));
        Assert.Empty(Mismatches(Entries("gpt2", "tricky"), e => ((string)e["decode"]!, Gpt2Embedded.Decode(Ints(e["ids"])))));
        Assert.Empty(Mismatches(Entries("gpt2", "tricky"), e => ((string)e["decode_skip_special"]!, Gpt2Embedded.Decode(Ints(e["ids"]), skipSpecialTokens: true))));
    }

    [Fact]
    public void Decode_variants_equal_hf()
    {
        var tricky = Entries("gpt2", "tricky").ToList();
        Assert.Empty(Mismatches(tricky, e => ((string)e["decode"]!, Gpt2.Decode(Ints(e["ids"])))));
        Assert.Empty(Mismatches(tricky, e => ((string)e["decode_no_cleanup"]!, Gpt2.Decode(Ints(e["ids"]), cleanUpTokenizationSpaces: false))));
        Assert.Empty(Mismatches(tricky, e => ((string)e["decode_skip_special"]!, Gpt2.Decode(Ints(e["ids"]), skipSpecialTokens: true))));
        Assert.Empty(Mismatches(tricky, e => ((bool)e["roundtrip_default"]!, Gpt2.Decode(Gpt2.Encode((string)e["text"]!)) == (string)e["text"]!)));
        Assert.Empty(Mismatches(tricky, e => ((bool)e["roundtrip_no_cleanup"]!, Gpt2.Decode(Gpt2.Encode((string)e["text"]!), cleanUpTokenizationSpaces: false) == (string)e["text"]!)));
    }

    [Fact]
    public void Tokens_equal_hf_byte_level_strings() =>
        Assert.Empty(Mismatches(Entries("gpt2", "tricky"), e => (
            string.Join("|", e["tokens"]!.AsArray().Select(t => (string)t!)),
            string.Join("|", Gpt2.Encode((string)e["text"]!).Select(id => Gpt2.IdToToken(id))))));

    [Fact]
    public void Special_tokens_and_sizes_are_gpt2s()
    {
        foreach (var t in new[] { Gpt2, Gpt2Embedded })
        {
            Assert.Equal(50256, t.BosTokenId);
            Assert.Equal(50256, t.EosTokenId);
            Assert.Equal(50256, t.PadTokenId);
            Assert.Equal(1024, t.ModelMaxLength);
            Assert.Equal(50257, t.VocabSize);
            Assert.True(t.CleanUpTokenizationSpacesByDefault);
            Assert.Equal([50256], t.Encode("<|endoftext|>"));   // typed in text it IS the special token
            Assert.Equal([464, 2068, 7586, 21831], t.Encode("The quick brown fox", maxLength: 12)); // models/gpt2/generate.json prompt
        }
    }

    [Fact]
    public void From_folder_with_copied_files_and_config()
    {
        using var dir = new TempDir();
        foreach (var f in new[] { "vocab.json", "merges.txt" }) File.Copy(Shared.Path_("tokenizers", "gpt2", f), dir.File(f));
        File.WriteAllText(dir.File("tokenizer_config.json"),
            """{"model_max_length": 512, "add_bos_token": true, "bos_token": {"content": "<|endoftext|>"}, "clean_up_tokenization_spaces": false}""");
        var t = HfTokenizer.FromFolder(dir.Path);
        Assert.Equal(512, t.ModelMaxLength);
        Assert.Equal([50256, 15496, 995], t.Encode("Hello world"));           // add_bos_token honoured
        Assert.Equal([50256, 15496], t.Encode("Hello world", maxLength: 2)); // the BOS counts toward max_length
        Assert.Equal("<|endoftext|>hello , world", t.Decode([50256, 31373, 837, 995]));          // config turns clean-up off
        Assert.Equal("hello, world", t.Decode([50256, 31373, 837, 995], skipSpecialTokens: true, cleanUpTokenizationSpaces: true));
    }

    [Fact]
    public void Batch_is_right_padded_with_eos()
    {
        var batch = new PaddedBatch(new[] { "Hello world", "a", "" }.Select(text => Gpt2.Encode(text, maxLength: 12)).ToList(), Gpt2.PadTokenId);
        Assert.Equal([2L, 1, 0], batch.Lengths);
        Assert.Equal([15496L, 995, 64, 50256, 50256, 50256], batch.Ids);
        Assert.Equal([1L, 1, 1, 0, 0, 0], batch.Mask);
    }

    [Fact]
    public void Model_inputs_fixture_is_reproduced()
    {
        // models/gpt2/inputs.json: the three sentences through GPT2Tokenizer, right-padded with eos.
        var inputs = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Shared.Fixture("models", "gpt2", "inputs.json")))!;
        var expected = inputs["input_ids"]!.AsArray().Select(r => r!.AsArray().Select(x => (long)x!).ToArray()).ToArray();
        var lengths = inputs["lengths"]!.AsArray().Select(x => (int)x!).ToArray();
        var texts = inputs["source"]!["texts"]!.AsArray().Select(x => (string)x!).ToList();
        var batch = new PaddedBatch(texts.Select(text => Gpt2.Encode(text)).ToList(), Gpt2.PadTokenId);
        Assert.Equal(lengths.Select(n => (long)n), batch.Lengths);
        Assert.Equal(expected.Length, batch.Rows);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, batch.Width);
            for (int j = 0; j < expected[i].Length; j++)
            {
                Assert.Equal(expected[i][j], batch.Ids[i * batch.Width + j]);
                Assert.Equal((long)inputs["attention_mask"]![i]![j]!, batch.Mask[i * batch.Width + j]);
            }
        }
    }

}
