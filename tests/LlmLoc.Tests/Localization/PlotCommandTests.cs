using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Localization;

public sealed class PlotCommandTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    static void AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    public void PlotsTheCachedMaskAndTheTHistogramAfterLocalize()
    {
        string model = Path.Combine(dir.Path, "tiny-gpt2"), cache = Path.Combine(dir.Path, "cache");
        Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
        Assert.Equal(0, CliRunner.Run("localize", "--model-name", model, "--percentage", "5", "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", cache, "--device", "cpu").ExitCode);

        var result = CliRunner.Run("plot", "--model-name", model, "--percentage", "5", "--cache-dir", cache);
        Assert.True(result.ExitCode == 0, result.Stderr);
        AssertPng(Path.Combine(cache, "heatmap_model=tiny-gpt2_network=language.png"));
        System.Xml.Linq.XDocument.Load(Path.Combine(cache, "heatmap_model=tiny-gpt2_network=language.svg"));
        AssertPng(Path.Combine(cache, "tvalues_model=tiny-gpt2_network=language_pooling=last-token.png"));
    }

    [Fact]
    public void PlotsMaskFilesFromThePythonTool()
    {
        string mask = Shared.Fixture("npy", "mask_int64_12x768.npy"), output = Path.Combine(dir.Path, "figs", "heatmap");
        var result = CliRunner.Run("plot", "--mask", mask, "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        AssertPng(output + ".png");
    }

    [Fact]
    public void MissingCachedMaskNamesTheLocalizeCommand()
    {
        var result = CliRunner.Run("plot", "--model-name", "gpt2-xl", "--cache-dir", dir.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("llmloc localize --model-name gpt2-xl", result.Stderr);
    }
}
