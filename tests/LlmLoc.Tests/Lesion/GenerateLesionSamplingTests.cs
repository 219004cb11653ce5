using LlmLoc.Lesion;
using static LlmLoc.Tests.Lesion.LesionCli;

namespace LlmLoc.Tests.Lesion;

/// <summary>Sampling (the original's default): seeded by --seed, several sequences separated by a --- line.</summary>
public class GenerateLesionSamplingTests
{
    [Fact]
    public void SameSeedSameTextAndOtherSeedsDiffer()
    {
        var first = Gpt2("--mask", FixtureMask("gpt2"), "--seed", "1");
        var again = Gpt2("--mask", FixtureMask("gpt2"), "--seed", "1");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Stdout, again.Stdout);
        var others = new[] { "2", "3", "4" }.Select(seed => Gpt2("--mask", FixtureMask("gpt2"), "--seed", seed).Stdout);
        Assert.Contains(others, text => text != first.Stdout);
        Assert.StartsWith("The quick brown fox", first.Stdout);
        Assert.Contains("temperature 0.7, top-k 50", first.Stderr);
    }

    [Fact]
    public void SeveralSequencesAreSeparatedByADashLine()
    {
        var result = Gpt2("--network", "none", "--num-return-sequences", "3", "--max-length", "8");
        Assert.Equal(0, result.ExitCode);
        var texts = result.Stdout.Split(Environment.NewLine + GeneratedTextWriter.Separator + Environment.NewLine);
        Assert.Equal(3, texts.Length);
        Assert.All(texts, t => Assert.StartsWith("The quick brown fox", t));
        Assert.True(texts.Distinct().Count() > 1, "three samples should not all be equal");
    }

    [Fact]
    public void GreedyIgnoresTheSeed()
    {
        Assert.Equal(Gpt2("--greedy", "--network", "none", "--seed", "1").Stdout, Gpt2("--greedy", "--network", "none", "--seed", "2").Stdout);
    }
}
