using System.Diagnostics;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;

namespace LlmLoc.Tests.Hardening;

/// <summary>
/// Issue 22, class 6: a checkpoint truncated in place while a run uses it. A memory-mapped weight then faults with
/// SIGBUS (exit 135, no message); weights read into memory are unaffected, and streamed weights read with a length
/// check, so the run either finishes with the right mask or ends with one line.
/// </summary>
public sealed class CheckpointChangeTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("in-memory")]
    [InlineData("streamed")]
    public async Task ACheckpointTruncatedDuringARunIsOneLineOrNoHarm(string weights)
    {
        string model = dir.File("model"), cache = dir.File("cache");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(Shared.Fixture("models", "gpt2")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        // Four stimuli per forward pass: over a hundred passes over the weights after the model is loaded.
        string[] args = ["localize", "--model-name", model, "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", cache,
            "--device", "cpu", "--network", "language", "--percentage", "1", "--batch-size", "4", "--weights", weights, "--verbose"];
        using var process = Process.Start(ChildCli.StartInfo(args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new List<string>();
        // Stop the child once it holds the weights, cut the checkpoint to its first page, go on.
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            stderr.Add(line);
            if (line.StartsWith("llmloc: weights ", StringComparison.Ordinal))
            {
                await Task.Delay(1000); // the load is done (a tiny model), the forward passes are running
                Signal("STOP", process.Id);
                await Task.Delay(200);
                using (var file = new FileStream(Path.Combine(model, "model.safetensors"), FileMode.Open, FileAccess.Write))
                    file.SetLength(4096);
                Signal("CONT", process.Id);
            }
        }
        await process.WaitForExitAsync();
        string err = string.Join('\n', stderr);
        Assert.Contains(stderr, l => l.StartsWith("llmloc: weights ", StringComparison.Ordinal));
        if (process.ExitCode == 0)
        {
            // In memory: the weights were read before the cut, so the run is the same as on the intact model.
            var reference = CliRunner.Run([.. args[..1], "--model-name", Shared.Fixture("models", "gpt2"), .. args[3..5], "--cache-dir", dir.File("ref"), .. args[7..]]);
            Assert.True(reference.ExitCode == 0, reference.Stderr);
            string mask = Assert.Single(Directory.GetFiles(cache, "*perc=1.0*"));
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("ref"), Path.GetFileName(mask).Replace("model_", "gpt2_"))), File.ReadAllBytes(mask));
        }
        else
        {
            Assert.True(process.ExitCode == ExitCodes.RuntimeError, $"exit {process.ExitCode}; stderr: {err}");
            BadInputs.AssertOneErrorLine(err, "model.safetensors");
            Assert.DoesNotContain(BadInputs.FilesIn(cache), f => f.Contains("perc="));
        }
    }

    static void Signal(string signal, int pid) => Process.Start("kill", [$"-{signal}", pid.ToString()])!.WaitForExit();
}
