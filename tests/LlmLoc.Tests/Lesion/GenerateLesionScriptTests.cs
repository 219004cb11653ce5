namespace LlmLoc.Tests.Lesion;

/// <summary>scripts/generate_lesion.sh runs language, random and none for one prompt, passing extra flags on.</summary>
public class GenerateLesionScriptTests
{
    [Fact]
    public void ScriptRunsTheThreeNetworksInOrder()
    {
        using var runner = new ScriptRunner();
        var result = runner.Run("generate_lesion.sh", new Dictionary<string, string> { ["MODEL_NAME"] = "org/some-model" }, "--greedy");

        Assert.Equal(0, result.ExitCode);
        var runs = result.Calls.Where(l => l.StartsWith("generate-lesion")).ToArray();
        Assert.Equal(
            new[] { "language", "random", "none" }.Select(n =>
                $"generate-lesion --model-name org/some-model --prompt The quick brown fox --percentage 1 --network {n} --greedy"),
            runs);
    }
}
