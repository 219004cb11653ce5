using System.Text;
using System.Text.Json;

namespace LlmLoc.Tests.Localization;

/// <summary>
/// `llmloc localize` on the tiny checkpoint of every family, from the CLI. The fixture folders (vocab 512) ship no
/// tokenizer, so each gets a byte-level one of 256 single-byte tokens (ids below the model's vocabulary).
/// </summary>
public sealed class LocalizeFamiliesTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    string ModelWithByteTokenizer(string family)
    {
        string folder = Path.Combine(dir.Path, family);
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.CreateSymbolicLink(Path.Combine(folder, file), Shared.Fixture("models", family, file));
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(ByteLevelAlphabet()));
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\n");
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"tokenizer_class": "GPT2Tokenizer"}""");
        return folder;
    }

    /// <summary>GPT-2's printable stand-in for each byte (bytes.decode of byte-level BPE), id = byte value.</summary>
    static Dictionary<string, int> ByteLevelAlphabet()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var vocab = new Dictionary<string, int>();
        int extra = 0;
        for (int b = 0; b < 256; b++)
            vocab[new Rune(printable.Contains(b) ? b : 256 + extra++).ToString()] = b;
        return vocab;
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    [InlineData("llama3-rope")]
    [InlineData("llama-bf16")]
    [InlineData("mistral")]
    [InlineData("gemma")]
    [InlineData("phi3")]
    [InlineData("phi3-longrope")]
    [InlineData("falcon")]
    [InlineData("falcon-newarch")]
    public void EveryFamilyLocalizesWithTheSameMaskAtAnyBatchSizeInEitherWeightsMode(string family)
    {
        string model = family == "gpt2" ? Shared.Fixture("models", "gpt2") : ModelWithByteTokenizer(family);
        string name = $"{family}_network=language_pooling=last-token_range=100-100_perc=2.0_nunits=None_pretrained=True.npy";
        byte[] Localize(string batch, string weights)
        {
            string cache = Path.Combine(dir.Path, $"b{batch}-{weights}");
            var result = CliRunner.Run("localize", "--model-name", model, "--percentage", "2", "--stimuli-dir", Shared.Path_("stimuli"),
                "--cache-dir", cache, "--device", "cpu", "--batch-size", batch, "--weights", weights);
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Contains("Number of units: ", result.Stdout);
            return File.ReadAllBytes(Path.Combine(cache, name));
        }
        // Batch size and weights mode change the schedule, never the mask: each is varied alone against one reference,
        // so a difference points at the one that changed.
        byte[] reference = Localize("16", "in-memory");
        Assert.True(LlmLoc.Numerics.Npy.Read(Path.Combine(dir.Path, "b16-in-memory", name)).ToInt64s().Sum() >= 1);
        Assert.True(reference.SequenceEqual(Localize("1", "in-memory")), "batch size 1 gives another mask than 16");
        Assert.True(reference.SequenceEqual(Localize("16", "streamed")), "streamed weights give another mask than in-memory");
    }

    public static TheoryData<string> MoreFamilies => new(ModelFixture.MoreFamilies);

    /// <summary>
    /// The models-more checkpoints (GPT-NeoX, Qwen2, Gemma 2, OLMo), each with a byte tokenizer.json of its family's
    /// shape: `localize --num-units 10` selects exactly 10 units, the same at batch sizes 1 and 16.
    /// </summary>
    [Theory]
    [MemberData(nameof(MoreFamilies))]
    public void LaterFamiliesLocalizeTenUnits(string family)
    {
        string folder = Path.Combine(dir.Path, family);
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.CreateSymbolicLink(Path.Combine(folder, file), Path.Combine(ModelFixture.Folder(family), file));
        string shape = family.StartsWith("qwen2") ? "qwen2" : family.StartsWith("gemma2") ? "gemma2" : "gpt_neox";
        FamilyTokenizerFiles.WriteByteTokenizer(folder, shape);

        string one = Path.Combine(dir.Path, "b1"), many = Path.Combine(dir.Path, "b16");
        foreach (var (cache, batch) in new[] { (one, "1"), (many, "16") })
        {
            var result = CliRunner.Run("localize", "--model-name", folder, "--num-units", "10", "--stimuli-dir", Shared.Path_("stimuli"),
                "--cache-dir", cache, "--device", "cpu", "--batch-size", batch);
            Assert.True(result.ExitCode == 0, result.Stderr);
        }
        string name = $"{family}_network=language_pooling=last-token_range=100-100_perc=None_nunits=10_pretrained=True.npy";
        var mask = LlmLoc.Numerics.Npy.Read(Path.Combine(one, name));
        Assert.Equal([3, 64], mask.Shape);
        Assert.Equal(10, mask.ToInt64s().Sum());
        Assert.Equal(File.ReadAllBytes(Path.Combine(one, name)), File.ReadAllBytes(Path.Combine(many, name)));
    }
}
