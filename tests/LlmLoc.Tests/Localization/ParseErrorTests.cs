namespace LlmLoc.Tests.Localization;

/// <summary>Parse errors in llmloc's words: Python-style flags get a hint, wrong types never show .NET names.</summary>
public class ParseErrorTests
{
    [Theory]
    [InlineData("localize --model_name gpt2", "unknown flag '--model_name': did you mean --model-name?")]
    [InlineData("plot --model_name gpt2", "unknown flag '--model_name': did you mean --model-name?")]
    [InlineData("evaluate --model-name m --minimal_pairs", "unknown flag '--minimal_pairs': did you mean --minimal-pairs?")]
    [InlineData("localize --model-name gpt2 --localizerange 0-0", "unknown flag '--localizerange': did you mean --localize-range?")]
    [InlineData("localize --model-name gpt2 --percentage abc", "--percentage 'abc' is not a number: give e.g. --percentage 1")]
    [InlineData("evaluate --model-name m --batch-size 1.5", "--batch-size '1.5' is not a whole number: give e.g. --batch-size 8")]
    [InlineData("localize --model-name m --num-units ten", "--num-units 'ten' is not a whole number")]
    public void ParseErrorsAreOneReadableLine(string commandLine, string expected)
    {
        var result = CliRunner.Run(commandLine.Split(' '));
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Contains($"llmloc: error: {expected}", result.Stderr);
        Assert.DoesNotContain("System.", result.Stderr);
    }
}
