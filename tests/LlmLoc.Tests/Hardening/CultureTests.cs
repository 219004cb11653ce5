using System.Globalization;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Hardening;

/// <summary>
/// Issue 22, class 1: numbers llmloc parses and prints are culture-invariant. Under a comma-decimal locale .NET takes
/// the culture from LC_ALL/LANG (through ICU, even where the C library lacks the locale), and before the fix
/// "--percentage 1.5" ran as 15 and cached perc=15.0.
/// </summary>
public sealed class CultureTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    static readonly Dictionary<string, string> German = new()
    {
        ["LC_ALL"] = "de_DE.UTF-8", ["LANG"] = "de_DE.UTF-8", ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "0",
        // The test assembly's StartupHook reports the culture the runtime chose, before llmloc's Main runs.
        ["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location, [StartupHook.Variable] = "1",
    };

    [Fact]
    public void APercentageWithADecimalPointMeansTheSameUnderACommaDecimalLocale()
    {
        string model = Path.Combine(dir.Path, "tiny-gpt2"), cache = Path.Combine(dir.Path, "cache");
        Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
        var result = ChildCli.Run(["localize", "--model-name", model, "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", cache,
            "--device", "cpu", "--network", "language", "--percentage", "1.5"], German);

        // The child really ran under German number formatting (or this test proves nothing).
        Assert.Contains($"{StartupHook.Prefix}de-DE decimal=','", result.Stderr);
        Assert.True(result.ExitCode == 0, result.Stderr);
        string mask = Assert.Single(Directory.GetFiles(cache, "*perc=*"));
        Assert.EndsWith("_perc=1.5_nunits=None_pretrained=True.npy", mask);
        // Printed numbers too: the run's summary reads as in any other locale.
        Assert.DoesNotContain("1,5", result.Stdout);
    }

    [Fact]
    public void ACommaDecimalIsRefusedNotReadAsAnotherNumber()
    {
        var result = ChildCli.Run(["localize", "--model-name", "/nonexistent/llmloc-model", "--percentage", "1,5"], German);
        Assert.Contains($"{StartupHook.Prefix}de-DE", result.Stderr);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        BadInputs.AssertOneErrorLine(result.Stderr, "--percentage '1,5' is not a number: write numbers with a decimal point");
    }
}
