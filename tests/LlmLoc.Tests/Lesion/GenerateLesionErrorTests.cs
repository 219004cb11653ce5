using LlmLoc.Tests.Infrastructure;
using static LlmLoc.Tests.Lesion.LesionCli;

namespace LlmLoc.Tests.Lesion;

/// <summary>User errors: one line on stderr, a non-zero exit code, nothing on stdout.</summary>
public class GenerateLesionErrorTests
{
    /// <summary>The error contract (<see cref="Hardening.BadInputs.AssertOneErrorLine"/>) and nothing on stdout.</summary>
    static void AssertOneLineError(Result result, int exitCode)
    {
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Hardening.BadInputs.AssertOneErrorLine(result.Stderr, "");
    }

    [Fact]
    public void MissingMaskNamesTheLocalizeCommandThatCreatesIt()
    {
        using var dir = new TempDir();
        var result = Run("--model-name", ModelFolder("gpt2"), "--prompt", "x", "--cache-dir", dir.Path, "--pooling", "mean",
            "--localize-range", "80-90", "--percentage", "0.5");
        AssertOneLineError(result, ExitCodes.InputError);
        Assert.Contains(
            $"`llmloc localize --model-name {ModelFolder("gpt2")} --percentage 0.5 --network language --pooling mean --localize-range 80-90 --cache-dir {dir.Path}`",
            result.Stderr);
        Assert.Contains("gpt2_network=language_pooling=mean_range=80-90_perc=0.5_nunits=None_pretrained=True.npy", result.Stderr);
    }

    [Fact]
    public void MaskOfAnotherShapeNamesBothShapes()
    {
        var result = Gpt2("--mask", FixtureMask("llama"), "--greedy");
        AssertOneLineError(result, ExitCodes.InputError);
        Assert.Contains("(3, 64)", result.Stderr);
        Assert.Contains("3 layers × 48 units", result.Stderr);
    }

    [Fact]
    public void RandomControlWithMissingMaskAlsoFails()
    {
        using var dir = new TempDir();
        AssertOneLineError(Gpt2("--cache-dir", dir.Path, "--network", "random"), ExitCodes.InputError);
    }

    [Theory]
    [InlineData("--network", "Theory of mind")]
    [InlineData("--network", "../language")]
    [InlineData("--random-like", "none", "--network", "random")]
    [InlineData("--percentage", "0")]
    [InlineData("--num-return-sequences", "2", "--greedy", "--network", "none")]
    [InlineData("--network", "none", "--mask", "x.npy")]
    public void BadFlagsAreUsageErrors(params string[] args) => AssertOneLineError(Gpt2(args), ExitCodes.Usage);

    [Fact]
    public void MissingRequiredFlagIsAUsageError()
    {
        var result = Run("--model-name", ModelFolder("gpt2"), "--percentage", "1");
        AssertOneLineError(result, ExitCodes.Usage);
        Assert.Contains("--prompt", result.Stderr);
    }
}
