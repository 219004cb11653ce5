using System.Text.RegularExpressions;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Workflow;

/// <summary>The README's quick start: two commands, the second the one CI runs. QuickStartTests runs the first.</summary>
public sealed class QuickStartReadme
{
    /// <summary>The command lines of the README's block between &lt;!-- quickstart --&gt; and &lt;!-- /quickstart --&gt;.</summary>
    public static string[] Commands()
    {
        string readme = File.ReadAllText(Path.Combine(Shared.RepoRoot, "README.md"));
        var block = Regex.Match(readme, "<!-- quickstart -->(.*?)<!-- /quickstart -->", RegexOptions.Singleline);
        Assert.True(block.Success, "README.md has no <!-- quickstart --> ... <!-- /quickstart --> block");
        return block.Groups[1].Value.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("```") && !line.StartsWith('#'))
            .ToArray();
    }

    [Fact]
    public void ReadmeHasTwoCommandsTheSecondBeingTheCiTestCommand()
    {
        var commands = Commands();
        Assert.Equal(2, commands.Length);
        Assert.StartsWith("dotnet run ", commands[0]);
        Assert.Equal("dotnet test LlmLoc.sln", commands[1]);
        Assert.Contains(commands[1], File.ReadAllText(Path.Combine(Shared.RepoRoot, ".ci", "run")));
    }
}
