using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;

namespace LlmLoc.Tests.Platform;

/// <summary>
/// Names that would break on some system are one-line errors before any model work, on every system: the model
/// folders here are empty, so reaching the model would fail differently (no config.json); nothing is written.
/// </summary>
public sealed class PlatformBadInputTests : IDisposable
{
    readonly TempDir _dir = new();
    string Cache => Path.Combine(_dir.Path, "cache");
    public void Dispose() => _dir.Dispose();

    string EmptyModel(string name)
    {
        string folder = Path.Combine(_dir.Path, "models", name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    static string OneErrorLine(CliRunner.Result result)
    {
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("llmloc: error: ", line);
        return line;
    }

    void AssertNothingWritten() =>
        Assert.False(Directory.Exists(Cache) && Directory.EnumerateFileSystemEntries(Cache).Any(f => !f.Contains("Tiny")), "a cache file was written");

    [Theory]
    [InlineData("CON.v2", "'CON' is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9), not a file")]
    [InlineData("nul.backup", "'nul' is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9), not a file")]
    [InlineData("run:3", "Windows forbids the character ':' in file names")]
    [InlineData("what?", "Windows forbids the character '?' in file names")]
    public void AModelNameWindowsCannotStoreIsRefusedBeforeTheModelIsRead(string name, string why)
    {
        var result = CliRunner.Run("localize", "--model-name", EmptyModel(name), "--percentage", "1", "--cache-dir", Cache, "--device", "cpu");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        string line = OneErrorLine(result);
        Assert.StartsWith($"llmloc: error: the model name '{name}' makes the cache file name '{name}_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy', which is not valid on every system ({why})", line);
        AssertNothingWritten();
    }

    [Fact]
    public void GenerateLesionRefusesTheSameNameBeforeLoadingAnything()
    {
        var result = CliRunner.Run("generate-lesion", "--model-name", EmptyModel("AUX.1"), "--percentage", "1", "--network", "language",
            "--cache-dir", Cache, "--prompt", "Hi", "--device", "cpu");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("'AUX' is a device name on Windows", OneErrorLine(result));
    }

    [Theory]
    [InlineData("localize")]
    [InlineData("generate-lesion")]
    public void ACachedEntryWhoseNameDiffersOnlyInCaseIsNotSharedSilently(string verb)
    {
        Directory.CreateDirectory(Cache);
        string other = "Tiny_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy";
        File.WriteAllBytes(Path.Combine(Cache, other), [0]);
        string[] extra = verb == "generate-lesion" ? ["--network", "language", "--prompt", "Hi"] : [];

        var result = CliRunner.Run([verb, "--model-name", EmptyModel("tiny"), "--percentage", "1", "--cache-dir", Cache, "--device", "cpu", .. extra]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal($"llmloc: error: the cache {Cache} holds '{other}', whose name differs from this run's '{other.Replace("Tiny", "tiny")}' only in case; " +
            "on macOS and Windows they are one file, so two models would share it: use another --cache-dir for one of them, or rename one model folder",
            OneErrorLine(result));
        Assert.Single(Directory.GetFiles(Cache));
    }

    [Fact]
    public void ACacheFolderWithANameOverTheLimitIsRefused()
    {
        string cache = Path.Combine(_dir.Path, new string('c', 256));
        var result = CliRunner.Run("localize", "--model-name", EmptyModel("tiny"), "--percentage", "1", "--cache-dir", cache, "--device", "cpu");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        // The cache folder's own check or the cache entry's, whichever the verb makes first: one line naming the name and the limit.
        string line = OneErrorLine(result);
        Assert.Contains($"{cache}", line);
        Assert.Contains($"'{new string('c', 256)}' is not a valid name on Linux: it is 256 bytes long (UTF-8), more than the 255 a file name may have", line);
        Assert.False(Directory.Exists(cache));
    }

    [Fact]
    public void ACacheEntryPathOverTheSystemsLimitIsRefused()
    {
        // A cache folder of 4,000 bytes is fine by itself; the mask's name makes the path too long for Linux (4,095).
        string cache = _dir.Path;
        while (cache.Length < 4000) cache = Path.Combine(cache, new string('d', Math.Min(200, 4000 - cache.Length - 1)));
        var result = CliRunner.Run("localize", "--model-name", EmptyModel("tiny"), "--percentage", "1", "--cache-dir", cache, "--device", "cpu");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        string line = OneErrorLine(result);
        Assert.Matches(@"^llmloc: error: the cache file .* cannot be written here: the path is 4\d{3} bytes long, more than the 4095 Linux allows; use a shorter --cache-dir$", line);
    }

    [Fact]
    public void DeviceMpsWithoutAMetalGpuIsAnErrorLikeCudaNotAFallback()
    {
        string model = Path.Combine(_dir.Path, "tiny-gpt2");
        Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
        var result = CliRunner.Run("generate-lesion", "--model-name", model, "--network", "none", "--percentage", "1", "--prompt", "Hi", "--device", "mps");
        Assert.Equal(ExitCodes.RuntimeError, result.ExitCode);
        Assert.Equal("llmloc: error: --device mps asked for Apple's Metal GPU, but this llmloc has none (only Apple-silicon Macs with macOS 12.3 " +
            "or later have it): use --device cpu", OneErrorLine(result));
        Assert.Equal("", result.Stdout);
    }
}
