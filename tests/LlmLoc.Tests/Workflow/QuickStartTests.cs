using System.IO.Compression;
using LlmLoc.Numerics;
using Xunit.Abstractions;

namespace LlmLoc.Tests.Workflow;

/// <summary>
/// The README's quick start, followed from a clean clone with no network: its first command (parsed from the README,
/// so the two cannot drift) writes the GPT-2 language mask; the tool package installs and runs. Slow: builds the
/// project a second time in the clone.
/// </summary>
[Trait("Category", "Slow")]
public sealed class QuickStartTests(CleanClone clone, ITestOutputHelper output) : IClassFixture<CleanClone>
{
    [Fact]
    public void FirstCommandWritesTheUntrainedGpt2LanguageMaskWithoutNetwork()
    {
        string command = QuickStartReadme.Commands()[0];
        var run = Shell.Run(clone.Path, "bash", ["-c", command], new Dictionary<string, string?>
        {
            ["LLMLOC_STIMULI"] = Shared.Path_("stimuli"),
            ["LLMLOC_NO_DOWNLOAD"] = "1",  // stimuli present: nothing may be fetched
            ["HF_HUB_OFFLINE"] = "1",      // --untrained gpt2 needs no hub request
            ["LOC_CACHE"] = null,
        });
        output.WriteLine($"`{command}` took {run.Elapsed.TotalSeconds:F0} s (build + localize)");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);

        var mask = Npy.Read(Path.Combine(clone.Path, "cache",
            "gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=False.npy"));
        Assert.Equal([12, 768], mask.Shape);
        var values = mask.ToInt64s();
        Assert.Equal(92, values.Count(v => v == 1));
        Assert.Equal(values.Length - 92, values.Count(v => v == 0));
    }

    [Fact]
    public void ToolPackageInstallsRunsAndCarriesThePatchedTorchLibrary()
    {
        string artifacts = Path.Combine(clone.Path, "artifacts"), tools = Path.Combine(clone.Path, "tools");
        var pack = Shell.Run(clone.Path, "dotnet", ["pack", "src/LlmLoc.Cli", "-c", "Release", "-o", artifacts]);
        Assert.True(pack.ExitCode == 0, pack.Stdout + pack.Stderr);
        string nupkg = Assert.Single(Directory.GetFiles(artifacts, "llmloc.*.nupkg"));
        output.WriteLine($"dotnet pack: {pack.Elapsed.TotalSeconds:F0} s, {new FileInfo(nupkg).Length / 1e6:F0} MB");

        // The package's libLibTorchSharp.so is the build's patched copy (the one this test run loads), not the original.
        using (var zip = ZipFile.OpenRead(nupkg))
        {
            var entry = Assert.Single(zip.Entries, e => e.Name == "libLibTorchSharp.so");
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            Assert.Equal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so")), bytes.ToArray());
        }

        var install = Shell.Run(clone.Path, "dotnet", ["tool", "install", "--tool-path", tools, "--add-source", artifacts, "llmloc"]);
        output.WriteLine($"dotnet tool install: {install.Elapsed.TotalSeconds:F0} s");
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        string llmloc = Path.Combine(tools, "llmloc");

        var version = Shell.Run(clone.Path, llmloc, ["--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^0\.1\.0(\+[0-9a-f]+)?$", version.Stdout.Trim());

        var help = Shell.Run(clone.Path, llmloc, ["--help"]);
        Assert.Equal(0, help.ExitCode);
        foreach (var verb in new[] { "localize", "generate-lesion", "evaluate", "stimuli", "plot" })
            Assert.Contains(verb, help.Stdout);

        // Loads libtorch from the installed package: greedy continuation on the tiny fixture model.
        string[] generateArgs = ["generate-lesion", "--model-name", Shared.Fixture("models", "gpt2"), "--network", "none",
            "--percentage", "1", "--prompt", "The quick", "--greedy", "--max-length", "6", "--device", "cpu"];
        var generate = Shell.Run(clone.Path, llmloc, generateArgs);
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        var inProcess = CliRunner.Run(generateArgs);
        Assert.Equal(0, inProcess.ExitCode);
        Assert.Equal(inProcess.Stdout, generate.Stdout);
    }
}
