using LlmLoc.Generation;
using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Models;
using static LlmLoc.Tests.Lesion.LesionCli;

namespace LlmLoc.Tests.Lesion;

/// <summary>Greedy generation, intact and lesioned, against transformers' generate() (generate.json).</summary>
public class GenerateLesionFixtureTests
{
    [Fact]
    public void Gpt2CliGreedyWithFixtureMaskPrintsTheLesionedReferenceText()
    {
        var expected = ReadExpected("gpt2");
        var result = Gpt2("--mask", FixtureMask("gpt2"), "--greedy");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Decode("gpt2", expected.LesionGreedy) + Environment.NewLine, result.Stdout);
        Assert.Contains("5 units", result.Stderr);
        Assert.Contains("(3, 48)", result.Stderr);
    }

    [Fact]
    public void Gpt2CliGreedyWithoutLesionPrintsTheReferenceText()
    {
        var expected = ReadExpected("gpt2");
        var result = Gpt2("--network", "none", "--greedy");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Decode("gpt2", expected.Greedy) + Environment.NewLine, result.Stdout);
        Assert.NotEqual(expected.Greedy, expected.LesionGreedy); // the lesion is visible in the reference
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    public void LibraryGreedyIdsMatchTokenForToken(string name)
    {
        var expected = ReadExpected(name);
        string folder = ModelFolder(name);
        using var model = ModelLoader.Load(folder, new LoadOptions());
        var settings = GenerationSettings.FromModelFolder(folder, model.Config.Raw, maxLength: expected.MaxLength, doSample: false);
        var mask = UnitMask.Load(FixtureMask(name));

        Assert.Equal(expected.LesionGreedy, LesionedGeneration.Generate(model, expected.Prompt, mask, settings).Single());
        // The lesion is removed afterwards, and a null mask is the intact model.
        Assert.Equal(expected.Greedy, LesionedGeneration.Generate(model, expected.Prompt, null, settings).Single());
    }

    [Fact]
    public void AllZeroMaskChangesNothing()
    {
        using var dir = new Infrastructure.TempDir();
        string zeros = dir.File("zeros.npy");
        new UnitMask(new long[3 * 48], 3, 48).Save(zeros);
        var result = Gpt2("--mask", zeros, "--greedy");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Decode("gpt2", ReadExpected("gpt2").Greedy) + Environment.NewLine, result.Stdout);
    }
}
