using LlmLoc.Generation;
using LlmLoc.Models;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Generation;

public class GenerationSettingsTests
{
    /// <summary>What generate-lesion does: the folder's config.json parsed by the model loader's <see cref="ModelConfig"/>.</summary>
    static GenerationSettings Settings(string folder, int? maxLength = null, bool? doSample = null, double? temperature = null,
        int? topK = null, double? topP = null, int? numReturnSequences = null, long? seed = null) =>
        GenerationSettings.FromModelFolder(folder, ModelConfig.Load(folder).Raw, maxLength, doSample, temperature, topK, topP, numReturnSequences, seed);

    const string LlamaSizes = "\"num_hidden_layers\": 1, \"hidden_size\": 8, \"vocab_size\": 130000";

    [Fact]
    public void Gpt2FolderGivesTransformersDefaultsAndPadEqualsEos()
    {
        var s = Settings(Shared.Fixture("models", "gpt2"));
        Assert.Equal(20, s.MaxLength);
        Assert.False(s.DoSample);
        Assert.Equal(1.0, s.Temperature);
        Assert.Equal(50, s.TopK);
        Assert.Equal(1.0, s.TopP);
        Assert.Equal(1, s.NumReturnSequences);
        Assert.Equal([50256L], s.EosTokenIds);
        Assert.Null(s.PadTokenId);
        Assert.Equal(50256L, s.EffectivePadTokenId);
        Assert.Empty(s.Warpers()); // greedy
    }

    [Fact]
    public void LesionScriptSamplingGivesTemperatureThenTopK()
    {
        var s = Settings(Shared.Fixture("models", "llama"),
            maxLength: 30, doSample: true, temperature: GenerationSettings.LesionScriptTemperature, seed: 3);
        Assert.Equal(30, s.MaxLength);
        Assert.Equal(3, s.Seed);
        Assert.Equal([2L], s.EosTokenIds);
        // the list transformers 4.44.2 built for generate_lesion.py (fixtures/README "sampling/")
        Assert.Equal([new TemperatureWarper(0.7), new TopKWarper(50)], s.Warpers());
    }

    [Fact]
    public void GemmaHasItsOwnPad()
    {
        var s = Settings(Shared.Fixture("models", "gemma"));
        Assert.Equal([1L], s.EosTokenIds);
        Assert.Equal(0L, s.EffectivePadTokenId);
    }

    [Fact]
    public void GenerationConfigValuesAreDefaultsThatArgumentsOverride()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), $$"""{"model_type": "llama", {{LlamaSizes}}, "eos_token_id": 128001}""");
        File.WriteAllText(dir.File("generation_config.json"),
            """{"do_sample": true, "temperature": 0.6, "top_p": 0.9, "eos_token_id": [128001, 128009], "max_length": 4096}""");
        var fromFile = Settings(dir.Path);
        Assert.True(fromFile.DoSample);
        Assert.Equal(0.6, fromFile.Temperature);
        Assert.Equal(4096, fromFile.MaxLength);
        Assert.Equal([128001L, 128009], fromFile.EosTokenIds);
        Assert.Equal(128001L, fromFile.EffectivePadTokenId);

        var overridden = Settings(dir.Path, maxLength: 50, temperature: 0.7, topK: 0, numReturnSequences: 4);
        Assert.Equal(50, overridden.MaxLength);
        Assert.Equal(4, overridden.NumReturnSequences);
        Assert.Equal([new TemperatureWarper(0.7), new TopPWarper(0.9)], overridden.Warpers());
    }

    [Fact]
    public void WithoutGenerationConfigTheModelConfigIsUsed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), $$"""{"model_type": "llama", {{LlamaSizes}}, "eos_token_id": 5, "pad_token_id": 7, "top_k": 10}""");
        var s = Settings(dir.Path);
        Assert.Equal([5L], s.EosTokenIds);
        Assert.Equal(7L, s.PadTokenId);
        Assert.Equal(10, s.TopK);

        // a generation_config.json without special ids still takes them from config.json
        File.WriteAllText(dir.File("generation_config.json"), """{"top_p": 0.5}""");
        var t = Settings(dir.Path);
        Assert.Equal([5L], t.EosTokenIds);
        Assert.Equal(7L, t.PadTokenId);
        Assert.Equal(50, t.TopK);
        Assert.Equal(0.5, t.TopP);
    }

    [Fact]
    public void BrokenSettingsAreInputErrors()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), $$"""{"model_type": "llama", {{LlamaSizes}}}""");
        File.WriteAllText(dir.File("generation_config.json"), "{not json");
        var broken = Assert.Throws<LlmLocException>(() => Settings(dir.Path));
        Assert.Equal(ExitCodes.InputError, broken.ExitCode);
        Assert.Contains("generation_config.json", broken.Message);

        File.WriteAllText(dir.File("generation_config.json"), """{"eos_token_id": "two"}""");
        Assert.Equal(ExitCodes.InputError, Assert.Throws<LlmLocException>(() => Settings(dir.Path)).ExitCode);
    }

    [Fact]
    public void InvalidArgumentsAreUsageErrors()
    {
        var folder = Shared.Fixture("models", "gpt2");
        Assert.Equal(ExitCodes.Usage, Assert.Throws<LlmLocException>(() =>
            Settings(folder, doSample: true, temperature: 0)).ExitCode);
        Assert.Equal(ExitCodes.Usage, Assert.Throws<LlmLocException>(() =>
            Settings(folder, numReturnSequences: 2)).ExitCode);
        Assert.Equal(ExitCodes.Usage, Assert.Throws<LlmLocException>(() =>
            Settings(folder, maxLength: 0)).ExitCode);
    }
}
