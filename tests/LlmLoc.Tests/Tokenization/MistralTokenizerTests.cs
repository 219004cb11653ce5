using PaddedBatch = LlmLoc.Models.PaddedBatch;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tokenization;
using Xunit.Abstractions;
using static LlmLoc.Tests.Tokenization.TokenizerFixtures;

namespace LlmLoc.Tests.Tokenization;

/// <summary>Mistral-7B's tokenizer.json (Llama-2 algorithm) against HF tokenizers (Rust) 0.23.2.</summary>
public class MistralTokenizerTests
{
    public static TheoryData<string> Sets => new() { "language", "tom", "md", "tricky" };

    [Theory, MemberData(nameof(Sets))]
    public void Ids_equal_hf(string set) =>
        Assert.Empty(Mismatches(Entries("mistral", set), e => (Ints(e["ids"]), Mistral.Encode((string)e["text"]!))));

    [Theory, InlineData("language"), InlineData("tricky")]
    public void Truncated_ids_count_the_bos(string set) =>
        Assert.Empty(Mismatches(Entries("mistral", set), e => (Ints(e["ids_trunc12"]), Mistral.Encode((string)e["text"]!, maxLength: 12))));

    [Fact]
    public void Ids_without_special_tokens_equal_hf() =>
        Assert.Empty(Mismatches(Entries("mistral", "tricky"), e => (Ints(e["ids_no_special"]), Mistral.Encode((string)e["text"]!, addSpecialTokens: false))));

    [Fact]
    public void Tokens_equal_hf() =>
        Assert.Empty(Mismatches(Entries("mistral", "tricky"), e => (
            string.Join("|", e["tokens"]!.AsArray().Select(t => (string)t!)),
            string.Join("|", Mistral.Encode((string)e["text"]!).Select(id => Mistral.IdToToken(id))))));

    [Fact]
    public void Decode_variants_equal_hf()
    {
        var tricky = Entries("mistral", "tricky").ToList();
        Assert.Empty(Mismatches(tricky, e => ((string)e["decode_skip_special"]!, Mistral.Decode(Ints(e["ids"]), skipSpecialTokens: true))));
        Assert.Empty(Mismatches(tricky, e => ((string)e["decode_keep_special"]!, Mistral.Decode(Ints(e["ids"])))));
        Assert.Empty(Mismatches(tricky, e => ((bool)e["roundtrip_skip_special"]!, Mistral.Decode(Mistral.Encode((string)e["text"]!), skipSpecialTokens: true) == (string)e["text"]!)));
    }

    [Fact]
    public void Special_tokens_and_sizes()
    {
        Assert.Equal(1, Mistral.BosTokenId);
        Assert.Equal(2, Mistral.EosTokenId);
        Assert.Equal(2, Mistral.PadTokenId);      // pad = eos, as localize.py sets it
        Assert.Null(Mistral.ModelMaxLength);      // 1e30 placeholder in tokenizer_config.json
        Assert.Equal(32000, Mistral.VocabSize);
        Assert.False(Mistral.CleanUpTokenizationSpacesByDefault);
        Assert.Equal([1, 22557, 1526], Mistral.Encode("Hello world"));
    }

    [Fact]
    public void Batch_pads_with_eos_after_the_bos()
    {
        var batch = new PaddedBatch([Mistral.Encode("Hello world", maxLength: 2), Mistral.Encode("", maxLength: 2)], Mistral.PadTokenId);
        Assert.Equal([2L, 1], batch.Lengths);
        Assert.Equal([1L, 22557, 1, 2], batch.Ids);
        Assert.Equal([1L, 1, 1, 0], batch.Mask);
    }

    [Fact]
    public void Llama_family_config_flags_override_the_post_processor()
    {
        using var dir = new TempDir();
        File.Copy(Shared.Path_("tokenizers", "mistral", "tokenizer.json"), dir.File("tokenizer.json"));
        File.WriteAllText(dir.File("tokenizer_config.json"),
            """{"tokenizer_class": "LlamaTokenizer", "add_bos_token": false, "add_eos_token": true, "bos_token": "<s>", "eos_token": {"content": "</s>"}, "pad_token": "<unk>"}""");
        var t = HfTokenizer.FromFolder(dir.Path);
        Assert.Equal([22557, 1526, 2], t.Encode("Hello world"));
        Assert.Equal([22557, 2], t.Encode("Hello world", maxLength: 2)); // the EOS stays, counted in max_length
        Assert.True(t.CleanUpTokenizationSpacesByDefault);                // absent from the config: 4.44.2 default
    }

}
