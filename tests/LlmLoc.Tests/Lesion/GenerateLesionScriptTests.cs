using System.Diagnostics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Lesion;

/// <summary>scripts/generate_lesion.sh runs language, random and none for one prompt, passing extra flags on.</summary>
public class GenerateLesionScriptTests
{
    [Fact]
    public void ScriptRunsTheThreeNetworksInOrder()
    {
        using var dir = new TempDir();
        string fake = dir.File("llmloc");
        File.WriteAllText(fake, "#!/usr/bin/env bash\necho \"$*\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var start = new ProcessStartInfo("bash", [Path.Combine(Shared.RepoRoot, "scripts", "generate_lesion.sh"), "--greedy"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["LLMLOC"] = fake;
        start.Environment["MODEL_NAME"] = "org/some-model";
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        var runs = output.Split('\n').Where(l => l.StartsWith("generate-lesion")).ToArray();
        Assert.Equal(
            new[] { "language", "random", "none" }.Select(n =>
                $"generate-lesion --model-name org/some-model --prompt The quick brown fox --percentage 1 --network {n} --greedy"),
            runs);
    }
}
