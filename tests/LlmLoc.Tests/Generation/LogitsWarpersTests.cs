using LlmLoc.Generation;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Generation;

/// <summary>The warpers against transformers 4.44.2's own outputs on shared/fixtures/sampling/.</summary>
public class LogitsWarpersTests
{
    static float[] Fixture(string name) => Npy.Read(Shared.Fixture("sampling", name + ".npy")).ToFloats();

    static (float[] Scores, float[] Probs) Warp(double temperature, int topK, double topP)
    {
        using var scope = NewDisposeScope();
        var logits = torch.tensor(Fixture("logits"), dtype: float32).reshape(1, -1);
        var scores = LogitsWarpers.Apply(LogitsWarpers.For(temperature, topK, topP), logits);
        return (scores.data<float>().ToArray(), scores.softmax(-1).data<float>().ToArray());
    }

    [Theory]
    [InlineData("temp0.7", 0, 1.0, 1000)]
    [InlineData("temp0.7_topk50", 50, 1.0, 51)]
    [InlineData("temp0.7_topk50_topp0.9", 50, 0.9, 18)]
    [InlineData("temp0.7_topp0.9", 0, 0.9, 27)]
    public void MatchesTransformers(string name, int topK, double topP, int keptEntries)
    {
        var (scores, probs) = Warp(0.7, topK, topP);
        var expectedScores = Fixture(name + "_scores");
        var expectedProbs = Fixture(name + "_probs");
        Assert.Equal(1000, probs.Length);

        // Removed exactly where transformers removed (-inf), same non-zero probability set.
        Assert.Equal(expectedScores.Select(float.IsNegativeInfinity), scores.Select(float.IsNegativeInfinity));
        Assert.Equal(expectedProbs.Select(p => p != 0), probs.Select(p => p != 0));
        Assert.Equal(keptEntries, probs.Count(p => p != 0));

        for (int i = 0; i < 1000; i++)
        {
            Assert.True(Math.Abs(probs[i] - expectedProbs[i]) <= 1e-6, $"{name} prob[{i}] {probs[i]} vs {expectedProbs[i]}");
            if (!float.IsNegativeInfinity(expectedScores[i]))
                Assert.True(Math.Abs(scores[i] - expectedScores[i]) <= 1e-6 * Math.Max(1, Math.Abs(expectedScores[i])),
                    $"{name} score[{i}] {scores[i]} vs {expectedScores[i]}");
        }
    }

    [Fact]
    public void NoOpWarpersAreLeftOutAsTransformersDoes()
    {
        Assert.Empty(LogitsWarpers.For(1.0, 0, 1.0));
        // generate_lesion.py's do_sample=True, temperature=0.7 with GenerationConfig defaults (top_k 50, top_p 1.0).
        Assert.Equal([new TemperatureWarper(0.7), new TopKWarper(50)], LogitsWarpers.For(0.7, 50, 1.0));
        Assert.Equal([new TopKWarper(5), new TopPWarper(0.5)], LogitsWarpers.For(1.0, 5, 0.5));
    }

    [Fact]
    public void TopKLargerThanVocabKeepsEverythingAndTopPKeepsAtLeastOne()
    {
        using var scope = NewDisposeScope();
        var scores = torch.tensor(new float[] { 1, 5, 3, 2 }).reshape(1, -1);
        Assert.DoesNotContain(float.NegativeInfinity, new TopKWarper(10).Apply(scores).data<float>().ToArray());
        // top_p 0 removes every token whose cumulative probability is <= 1, except the most likely one.
        Assert.Equal([float.NegativeInfinity, 5, float.NegativeInfinity, float.NegativeInfinity],
            new TopPWarper(0.0).Apply(scores).data<float>().ToArray());
    }

    [Fact]
    public void WarpersWorkRowByRow()
    {
        using var scope = NewDisposeScope();
        var scores = torch.tensor(new float[] { 1, 5, 3, 2, 9, 8, 7, 6 }).reshape(2, 4);
        var kept = new TopKWarper(2).Apply(scores).data<float>().ToArray();
        var ninf = float.NegativeInfinity;
        Assert.Equal([ninf, 5, 3, ninf, 9, 8, ninf, ninf], kept);
    }

    [Theory]
    [InlineData(0.0, 50, 1.0)]
    [InlineData(-1.0, 50, 1.0)]
    [InlineData(0.7, -1, 1.0)]
    [InlineData(0.7, 50, 1.5)]
    [InlineData(0.7, 50, -0.1)]
    public void InvalidParametersAreUserErrors(double temperature, int topK, double topP)
    {
        var e = Assert.Throws<LlmLocException>(() => LogitsWarpers.For(temperature, topK, topP));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }
}
