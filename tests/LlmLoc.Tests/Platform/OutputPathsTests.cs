using LlmLoc.Platform;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Platform;

/// <summary>Cache entries are portable and never share a file through case; output paths fit the running system.</summary>
public sealed class OutputPathsTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    const string Entry = "gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy";

    [Fact]
    public void AValidEntryIsThePathInTheCacheFolder()
    {
        Assert.Equal(Path.Combine(_dir.Path, Entry), OutputPaths.CacheEntry(_dir.Path, "gpt2", Entry));
        Assert.Equal(Path.Combine(_dir.Path, "missing", Entry), OutputPaths.CacheEntry(Path.Combine(_dir.Path, "missing"), "gpt2", Entry));
    }

    [Theory]
    [InlineData("CON.v2", "'CON' is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9), not a file")]
    [InlineData("my:model", "Windows forbids the character ':' in file names")]
    [InlineData("tab\tmodel", "Windows forbids control characters in file names")]
    public void AModelNameThatMakesAnInvalidEntryIsRefusedOnEverySystem(string model, string why)
    {
        string name = Entry.Replace("gpt2", model);
        var e = Assert.Throws<LlmLocException>(() => OutputPaths.CacheEntry(_dir.Path, model, name));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal($"the model name '{model}' makes the cache file name '{name}', which is not valid on every system ({why}); " +
            "copy or rename the model folder to a name without it", e.Message);
    }

    [Fact]
    public void AnEntryWhoseNameDiffersOnlyInCaseFromACachedOneIsRefused()
    {
        string other = Entry.Replace("gpt2", "GPT2");
        File.WriteAllBytes(Path.Combine(_dir.Path, other), [1]);

        var e = Assert.Throws<LlmLocException>(() => OutputPaths.CacheEntry(_dir.Path, "gpt2", Entry));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.StartsWith($"the cache {_dir.Path} holds '{other}', whose name differs from this run's '{Entry}' only in case", e.Message);
        Assert.Equal(other, OutputPaths.CaseTwin(_dir.Path, Entry));
        // The same name, or another model's, is no twin.
        Assert.Null(OutputPaths.CaseTwin(_dir.Path, other));
        Assert.Null(OutputPaths.CaseTwin(_dir.Path, Entry.Replace("gpt2", "gpt2-medium")));
    }

    [Fact]
    public void AnEntryPathOverTheSystemsLimitIsRefusedWithTheFix()
    {
        string deep = @"C:\" + string.Join('\\', Enumerable.Repeat("folder", 25)); // 177 characters, +1+94 > 259
        var e = Assert.Throws<LlmLocException>(() => OutputPaths.CacheEntry(deep, "gpt2", Entry, OsFamily.Windows, windowsLongPaths: false));
        Assert.EndsWith("more than the 259 Windows allows (without long paths enabled); use a shorter --cache-dir", e.Message);
        Assert.Equal(Path.Combine(deep, Entry), OutputPaths.CacheEntry(deep, "gpt2", Entry, OsFamily.Windows, windowsLongPaths: true));
    }

    [Theory]
    [InlineData(@"C:\results\NUL", OsFamily.Windows, "'NUL' is not a valid name on Windows")]
    [InlineData(@"C:\results\run 1.", OsFamily.Windows, "'run 1.' is not a valid name on Windows")]
    public void UserPathsFollowTheRulesOfTheRunningSystem(string path, OsFamily os, string why)
    {
        var e = Assert.Throws<LlmLocException>(() => OutputPaths.CheckUserPath(path, "--cache-dir", os, windowsLongPaths: false));
        Assert.StartsWith($"--cache-dir {path}: {why}", e.Message);
        Assert.EndsWith("; choose another path", e.Message);
        // On Linux the same names are ordinary folders.
        OutputPaths.CheckUserPath(_dir.File("NUL"), "--cache-dir");
        OutputPaths.CheckUserPath(_dir.File("run 1."), "--cache-dir");
    }

    [Fact]
    public void AUserPathWithANameOver255BytesIsRefusedOnLinux()
    {
        string path = _dir.File(new string('n', 256));
        var e = Assert.Throws<LlmLocException>(() => OutputPaths.CheckUserPath(path, "--output"));
        Assert.Equal($"--output {path}: '{new string('n', 256)}' is not a valid name on Linux: it is 256 bytes long (UTF-8), " +
            "more than the 255 a file name may have; choose another path", e.Message);
    }
}
