using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Localization;

/// <summary>
/// A shard of a sharded checkpoint missing or truncated when localize opens it: one error line naming the file,
/// exit code 3, no cache file — in either weights mode.
/// </summary>
public sealed class ShardErrorTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>A copy of the sharded GPT-2 fixture with the unsharded fixture's tokenizer files.</summary>
    string ShardedCopy()
    {
        string model = Path.Combine(dir.Path, "sharded");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(Shared.Fixture("models", "gpt2-sharded")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        foreach (var name in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
            File.Copy(Shared.Fixture("models", "gpt2", name), Path.Combine(model, name));
        return model;
    }

    void AssertFailsNaming(string model, string file, string weights)
    {
        string cache = Path.Combine(dir.Path, "cache-" + weights);
        var result = CliRunner.Run("localize", "--model-name", model, "--percentage", "1", "--stimuli-dir", Shared.Path_("stimuli"),
            "--cache-dir", cache, "--device", "cpu", "--weights", weights);
        Assert.Equal(LlmLoc.ExitCodes.RuntimeError, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("llmloc: error: ", line);
        Assert.Contains(file, line);
        Assert.False(Directory.Exists(cache) && Directory.EnumerateFileSystemEntries(cache).Any(), "a cache file was written");
    }

    [Theory]
    [InlineData("in-memory")]
    [InlineData("streamed")]
    public void AMissingShardIsNamed(string weights)
    {
        string model = ShardedCopy();
        File.Delete(Path.Combine(model, "model-00002-of-00002.safetensors"));
        AssertFailsNaming(model, "model-00002-of-00002.safetensors", weights);
    }

    [Theory]
    [InlineData("in-memory")]
    [InlineData("streamed")]
    public void ATruncatedShardIsNamed(string weights)
    {
        string model = ShardedCopy();
        string shard = Path.Combine(model, "model-00002-of-00002.safetensors");
        using (var stream = new FileStream(shard, FileMode.Open, FileAccess.Write)) stream.SetLength(stream.Length - 100);
        AssertFailsNaming(model, "model-00002-of-00002.safetensors", weights);
    }
}
