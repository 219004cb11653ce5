using LlmLoc.Masks;
using System.Net;
using System.Net.Sockets;
using LlmLoc.Localization;
using LlmLoc.Stimuli.Download;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Workflow;

/// <summary>
/// localize fetches missing language/ToM stimuli once (from a local server here; never the internet) and then
/// gives the original's mask; a failed fetch is one line naming the manual fixes.
/// </summary>
public sealed class StimuliAutoFetchTests : IDisposable
{
    readonly TempDir _temp = new();
    readonly string _model;

    public StimuliAutoFetchTests()
    {
        _model = _temp.File("tiny-gpt2");
        Directory.CreateSymbolicLink(_model, Shared.Fixture("models", "gpt2"));
    }

    public void Dispose() => _temp.Dispose();

    LocalizeOptions Options(string network) => new()
    {
        Model = new(_model) { Device = "cpu" },
        Mask = new() { Network = network, Percentage = 1, CacheDir = _temp.File("cache") },
        StimuliDir = _temp.File("stimuli"),
    };

    [Theory]
    [InlineData("language")]
    [InlineData("theory-of-mind")]
    public void MissingStimuliAreFetchedOnceAndGiveTheOriginalsMask(string network)
    {
        using var server = new LocalHttpServer(new()
        {
            [StimuliSourceArchives.LanguagePath] = StimuliSourceArchives.Language(),
            [StimuliSourceArchives.TomPath] = StimuliSourceArchives.Tom(),
        });
        var fetch = new StimuliAutoFetch(new StimuliSources(
            server.Url(StimuliSourceArchives.LanguagePath + "?dl=1"), server.Url(StimuliSourceArchives.TomPath)));
        var stderr = new StringWriter();

        Localizer.Run(Options(network), TextWriter.Null, stderr, fetch);

        string name = $"tiny-gpt2_network={network}_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy";
        Assert.Equal(File.ReadAllBytes(Shared.Fixture("localize-e2e", "cache", name)), File.ReadAllBytes(Path.Combine(_temp.File("cache"), name)));
        Assert.Single(server.Requests); // only this network's archive
        Assert.Contains("downloading them once", stderr.ToString());

        // Present now: a second run with --overwrite fetches nothing.
        Localizer.Run(Options(network) with { Overwrite = true }, TextWriter.Null, TextWriter.Null, fetch);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void FailedFetchIsOneLineNamingTheManualFixes()
    {
        var closed = ClosedPort();
        var fetch = new StimuliAutoFetch(new StimuliSources(closed, closed));

        var e = Assert.Throws<LlmLocException>(() => Localizer.Run(Options("language"), TextWriter.Null, TextWriter.Null, fetch));

        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.StartsWith($"could not download the language stimuli from {closed} (", e.Message);
        Assert.EndsWith("): run `llmloc stimuli download --network language` once with network access, or point --stimuli-dir at a copy", e.Message);
        Assert.Single(e.Message.Split("stimuli download")[1..]); // the fix is said once
        Assert.False(Directory.Exists(_temp.File("stimuli"))); // no empty folder left behind
        Assert.False(Directory.Exists(_temp.File("cache")) && Directory.EnumerateFiles(_temp.File("cache")).Any());
    }

    [Fact]
    public void AFailedFetchNeverShowsTheUrlsCredentials()
    {
        var closed = new UriBuilder(ClosedPort()) { UserName = "alice", Password = "s3cret" }.Uri;
        var fetch = new StimuliAutoFetch(new StimuliSources(closed, closed));
        var stderr = new StringWriter();

        var e = Assert.Throws<LlmLocException>(() => Localizer.Run(Options("language"), TextWriter.Null, stderr, fetch));

        Assert.StartsWith("could not download the language stimuli from http://***@127.0.0.1:", e.Message);
        Assert.DoesNotContain("s3cret", stderr + e.Message);
    }

    [Fact]
    public void DisabledFetchLeavesTheLoadersError()
    {
        var fetch = new StimuliAutoFetch(new StimuliSources(ClosedPort(), ClosedPort()), enabled: false);
        var e = Assert.Throws<LlmLocException>(() => Localizer.Run(Options("language"), TextWriter.Null, TextWriter.Null, fetch));
        Assert.Equal(ExitCodes.InputError, e.ExitCode);
        Assert.Contains("llmloc stimuli download --network language", e.Message);
    }

    [Fact]
    public void TheTestProcessHasAutoFetchOff() =>
        Assert.True(LlmLoc.IO.Downloads.DisabledByEnvironment());

    [Fact]
    public void ArithmeticNeedsNoFiles() => Assert.Null(StimuliAutoFetch.FolderOf(Networks.MultipleDemand));

    static Uri ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/stimuli.zip");
    }
}
