using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Localization;

/// <summary>Bad input: one line naming the problem and the fix, a non-zero exit code, and no cache file.</summary>
public sealed class LocalizeErrorTests : IDisposable
{
    readonly TempDir dir = new();
    readonly string model;
    string Cache => Path.Combine(dir.Path, "cache");

    public LocalizeErrorTests()
    {
        model = Path.Combine(dir.Path, "tiny-gpt2");
        Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
    }

    public void Dispose() => dir.Dispose();

    void AssertFails(int exitCode, string messagePart, params string[] args)
    {
        var result = CliRunner.Run(["localize", "--cache-dir", Cache, .. args, .. (args.Contains("--device") ? Array.Empty<string>() : ["--device", "cpu"])]);
        Assert.Equal(exitCode, result.ExitCode);
        // The load's one informational line (weights in memory or streamed) may precede the error.
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("llmloc: weights "));
        Assert.StartsWith("llmloc: error: ", line);
        Assert.Contains(messagePart, line);
        Assert.False(Directory.Exists(Cache) && Directory.EnumerateFileSystemEntries(Cache).Any(), "a cache file was written");
    }

    string Stimuli => Shared.Path_("stimuli");

    [Fact]
    public void AGivenStimuliDirThatDoesNotExistIsAnErrorNotADownload()
    {
        AssertFails(2, $"stimuli folder {Path.Combine(dir.Path, "nowhere")} (--stimuli-dir or $LLMLOC_STIMULI) does not exist",
            "--model-name", model, "--percentage", "1", "--stimuli-dir", Path.Combine(dir.Path, "nowhere"));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "nowhere")));
    }

    [Fact]
    public void MissingStimuliInAGivenFolderNameTheDownloadCommand()
    {
        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));
        AssertFails(2, "llmloc stimuli download", "--model-name", model, "--percentage", "1", "--stimuli-dir", Path.Combine(dir.Path, "empty"));
    }

    [Fact]
    public void CsvWithoutColumnsIsNamed()
    {
        string stimuli = Path.Combine(dir.Path, "bad-stimuli");
        Directory.CreateDirectory(Path.Combine(stimuli, "language"));
        File.WriteAllText(Path.Combine(stimuli, "language", "a.csv"), "stim1,stim2\n1,hello\n");
        AssertFails(2, "a.csv", "--model-name", model, "--percentage", "1", "--stimuli-dir", stimuli);
    }

    [Theory]
    [InlineData("--network", "vision", "vision")]
    [InlineData("--pooling", "max", "max")]
    [InlineData("--localize-range", "90-80", "inverted")]
    [InlineData("--localize-range", "abc", "malformed")]
    [InlineData("--percentage", "0", "out of range")]
    [InlineData("--percentage", "101", "out of range")]
    [InlineData("--device", "tpu", "unknown --device")]
    public void BadFlagsAreUsageErrors(string flag, string value, string messagePart)
    {
        string[] args = ["--model-name", model, "--stimuli-dir", Stimuli, flag, value];
        if (flag != "--percentage") args = [.. args, "--percentage", "1"];
        AssertFails(1, messagePart, args);
    }

    [Fact]
    public void NeitherPercentageNorUnits() => AssertFails(1, "--num-units", "--model-name", model, "--stimuli-dir", Stimuli);

    [Fact]
    public void MoreUnitsThanTheModelHas() =>
        AssertFails(1, "3 layers × 48 units = 144", "--model-name", model, "--stimuli-dir", Stimuli, "--num-units", "145");

    [Fact]
    public void ModelFolderNotFound() =>
        AssertFails(2, "no-such-model", "--model-name", Path.Combine(dir.Path, "no-such-model"), "--stimuli-dir", Stimuli, "--percentage", "1", "--offline");

    [Fact]
    public void UnknownModelTypeIsRefused()
    {
        string folder = Path.Combine(dir.Path, "bert-like");
        Directory.CreateDirectory(folder);
        foreach (var f in new[] { "vocab.json", "merges.txt" }) File.Copy(Shared.Fixture("models", "gpt2", f), Path.Combine(folder, f));
        File.WriteAllText(Path.Combine(folder, "config.json"), """{"model_type": "bert", "num_hidden_layers": 2, "hidden_size": 8}""");
        AssertFails(3, "bert", "--model-name", folder, "--stimuli-dir", Stimuli, "--percentage", "1");
    }

    [Fact]
    public void TruncatedSafetensorsIsAnErrorNotACrash()
    {
        string folder = Path.Combine(dir.Path, "broken");
        Directory.CreateDirectory(folder);
        foreach (var f in new[] { "vocab.json", "merges.txt", "config.json" }) File.Copy(Shared.Fixture("models", "gpt2", f), Path.Combine(folder, f));
        byte[] weights = File.ReadAllBytes(Shared.Fixture("models", "gpt2", "model.safetensors"));
        File.WriteAllBytes(Path.Combine(folder, "model.safetensors"), weights[..(weights.Length / 2)]);
        var result = CliRunner.Run("localize", "--model-name", folder, "--stimuli-dir", Stimuli, "--percentage", "1", "--cache-dir", Cache);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches("^llmloc: error: .*safetensors", result.Stderr);
        Assert.False(Directory.Exists(Cache));
    }
}
