using System.Diagnostics;
using System.Text;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;

namespace LlmLoc.Tests.Hardening;

/// <summary>
/// Issue 22, classes 4, 5 and 7 outside sweeps: writes that fail (a full or read-only place), work and memory bounded
/// by up-front checks (counts, cached files, image sizes), and valid-but-odd inputs (a read-only cache, a deleted
/// working folder, a lone surrogate escape in JSON, an output name too long for its temporary name).
/// </summary>
public sealed class LimitsAndOddInputsTests : IDisposable
{
    readonly BadInputs bad = new();
    public void Dispose() => bad.Dispose();

    static string Model => Shared.Fixture("models", "gpt2");
    static string Stimuli => Shared.Path_("stimuli");

    static string[] Localize(string model, string cache, params string[] extra) =>
        ["localize", "--model-name", model, "--stimuli-dir", Stimuli, "--cache-dir", cache, "--device", "cpu", "--percentage", "1", .. extra];

    static void Clean(CliRunner.Result result, int exitCode, string message)
    {
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}, expected {exitCode}; stderr: {result.Stderr}");
        BadInputs.AssertOneErrorLine(result.Stderr, message);
        string line = result.Stderr.Split('\n').Single(l => l.StartsWith("llmloc: error:", StringComparison.Ordinal));
        Assert.DoesNotMatch(@"\b([A-Z][A-Za-z]*Exception\b|internal error)", line);
    }

    // 4. Every write can fail.
    [MountFact]
    public void AFullDiskUnderTheCacheOrAnOutputIsOneLineAndLeavesNothing()
    {
        using var tmpfs = Tmpfs.Mount(bad.Root, 64);
        tmpfs.Fill();
        Clean(CliRunner.Run(Localize(Model, Path.Combine(tmpfs.Path, "cache"))), ExitCodes.InputError, "no space left on the device");
        Clean(CliRunner.Run("evaluate", "--model-name", Model, "--network", "none", "--minimal-pairs", "--device", "cpu",
            "--json", Path.Combine(tmpfs.Path, "result.json")), ExitCodes.InputError, "no space left on the device");
        Assert.Equal(["filler"], BadInputs.FilesIn(tmpfs.Path));
    }

    [MountFact]
    public void AReadOnlyOutputPlaceIsRefusedBeforeTheModel()
    {
        using var tmpfs = Tmpfs.Mount(bad.Root, 64);
        tmpfs.RemountReadOnly();
        Clean(CliRunner.Run("evaluate", "--model-name", "/nonexistent/model", "--network", "none", "--minimal-pairs",
            "--json", Path.Combine(tmpfs.Path, "result.json")), ExitCodes.Usage, "cannot create files in");
        Clean(CliRunner.Run(Localize("/nonexistent/model", Path.Combine(tmpfs.Path, "cache"))), ExitCodes.Usage, "cannot create files in");
    }

    // 7. A read-only cache that holds the valid mask serves it (shared caches on clusters).
    [MountFact]
    public void AReadOnlyCacheHoldingTheValidMaskServesIt()
    {
        using var tmpfs = Tmpfs.Mount(bad.Root, 1024);
        string cache = Path.Combine(tmpfs.Path, "cache");
        Assert.Equal(0, CliRunner.Run(Localize(Model, cache)).ExitCode);
        var files = BadInputs.FilesIn(cache);
        tmpfs.RemountReadOnly();
        var again = CliRunner.Run(Localize(Model, cache));
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("> Loading cached mask from", again.Stdout);
        Assert.Equal(files, BadInputs.FilesIn(cache));
    }

    // 5. Bounded work and memory.
    [Fact]
    public void TensOfThousandsOfSequencesAreRefusedWithTheMemoryTheyNeed()
    {
        var result = CliRunner.Run("generate-lesion", "--model-name", Model, "--network", "none", "--percentage", "1", "--prompt", "Hi", "--device", "cpu",
            "--num-return-sequences", "200000", "--max-length", "8");
        Clean(result, ExitCodes.Usage, "--num-return-sequences 200000");
        Assert.Matches(@"needs about [0-9.]+ GB of memory, more than this machine's [0-9.]+ GB allows; ask for at most \d+ sequences per run", result.Stderr);
    }

    [Fact]
    public void ABatchSizeNearTheIntLimitScoresAsAnyOther()
    {
        string[] args = ["evaluate", "--model-name", Model, "--network", "none", "--minimal-pairs", "--device", "cpu"];
        var huge = CliRunner.Run([.. args, "--batch-size", int.MaxValue.ToString()]);
        var usual = CliRunner.Run([.. args, "--batch-size", "8"]);
        Assert.True(huge.ExitCode == 0, huge.Stderr);
        Assert.Equal(usual.Stdout, huge.Stdout);
    }

    [Theory]
    [InlineData("evaluate", "--network", "random", "--minimal-pairs")]
    [InlineData("align", "--activations", "a.npy", "--responses", "r.csv")]
    public void SeedPlusIndexNeverOverflows(string verb, params string[] extra)
    {
        var result = CliRunner.Run([verb, "--model-name", "/nonexistent/model", "--seed", int.MaxValue.ToString(), "--random-seeds", "2", .. extra]);
        Clean(result, ExitCodes.Usage, $"--seed {int.MaxValue} with 2 random sets runs past the largest seed");
    }

    /// <summary>A fresh cache, the fixture's mask computed in another cache, and where the fresh cache would hold it.</summary>
    (string Cache, string Mask, string Planted) MaskAndPlace()
    {
        string cache = bad.Path_("cache"), reference = bad.Path_("reference");
        Assert.Equal(0, CliRunner.Run(Localize(Model, reference)).ExitCode);
        string mask = Assert.Single(Directory.GetFiles(reference, "*perc=1.0*"));
        Directory.CreateDirectory(cache);
        return (cache, mask, Path.Combine(cache, Path.GetFileName(mask)));
    }

    [Fact]
    public void AMultiGigabyteFileWhereTheCachedMaskGoesIsRecomputedNotRead()
    {
        var (cache, mask, planted) = MaskAndPlace();
        // A valid header of the right shape, then 3 GB (sparse) where 144 int64 values belong.
        var header = File.ReadAllBytes(mask)[..128];
        using (var file = File.Create(planted)) { file.Write(header); file.SetLength(3L << 30); }

        var result = CliRunner.Run(Localize(Model, cache));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"llmloc: warning: cached mask {planted} is not valid for this run", result.Stderr);
        Assert.Contains("recomputing it", result.Stderr);
        Assert.Equal(File.ReadAllBytes(mask), File.ReadAllBytes(planted));
    }

    [Fact]
    public void AFifoWhereTheCachedMaskGoesIsRecomputedNotWaitedOn()
    {
        var (cache, mask, planted) = MaskAndPlace();
        Process.Start("mkfifo", [planted])!.WaitForExit();
        var result = ChildCli.Run(Localize(Model, cache), timeout: TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("is not a regular file", result.Stderr);
        Assert.Equal(File.ReadAllBytes(mask), File.ReadAllBytes(planted));
    }

    [Fact]
    public void AMaskWithTensOfThousandsOfLayersIsOneLineInPlot()
    {
        var body = new byte[30000 * 2 * 8];
        body[0] = 1;
        string mask = bad.Npy("deep.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (30000, 2), }", body);
        Clean(CliRunner.Run("plot", "--mask", mask, "--output", bad.Path_("figures")), ExitCodes.InputError, "30000 layers");
        Assert.Empty(BadInputs.FilesIn(bad.Path_("figures")));
    }

    // 7. Valid-but-odd inputs.
    [Fact]
    public void ADeletedWorkingFolderIsOneLineBeforeNativeCode()
    {
        string gone = bad.Path_("gone");
        Directory.CreateDirectory(gone);
        var start = new ProcessStartInfo("bash", ["-c", "cd \"$1\" && rmdir \"$1\" && exec \"$2\" \"$3\" \"${@:4}\"", "bash", gone, ChildCli.Host, ChildCli.Dll,
            .. Localize(Model, bad.Path_("cache"))]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Clean(new CliRunner.Result(process.ExitCode, "", stderr), ExitCodes.InputError, "the working folder");
        Assert.DoesNotContain("FATAL", stderr);
        Assert.Empty(BadInputs.FilesIn(bad.Path_("cache")));
    }

    [Fact]
    public void ALoneSurrogateEscapeInAnyJsonInputIsOneLine()
    {
        string model = bad.Model("m", folder => BadInputs.EditConfig(folder, json => json["architectures"] = "x"));
        File.WriteAllText(Path.Combine(model, "config.json"), File.ReadAllText(Path.Combine(model, "config.json")).Replace("\"x\"", "\"\\ud800\""));
        Clean(CliRunner.Run(Localize(model, bad.Cache)), ExitCodes.InputError, "lone UTF-16 surrogate");

        string pairs = bad.Path_("pairs.jsonl");
        File.WriteAllText(pairs, "{\"sentence_good\": \"The cat \\ud800 sleeps.\", \"sentence_bad\": \"The cat sleep.\"}\n");
        Clean(CliRunner.Run("evaluate", "--model-name", Model, "--network", "none", "--minimal-pairs", pairs, "--device", "cpu"),
            ExitCodes.InputError, "lone UTF-16 surrogate");
    }

    [Fact]
    public void AnOutputNameTooLongForItsTemporaryNameIsRefusedUpFront()
    {
        // 250 bytes: a valid name alone, too long with ".tmp-<host>-<pid>-<random>".
        string json = bad.Path_(new string('r', 245) + ".json");
        Clean(CliRunner.Run("evaluate", "--model-name", "/nonexistent/model", "--network", "none", "--minimal-pairs", "--json", json),
            ExitCodes.Usage, "too long for the temporary name");

        // A model folder whose name makes the cached mask's name too long: refused before the model runs.
        string model = bad.Model(new string('m', 150));
        var result = CliRunner.Run(Localize(model, bad.Cache));
        Clean(result, ExitCodes.Usage, "too long for the temporary name");
        Assert.Empty(BadInputs.FilesIn(bad.Cache));
    }
}
