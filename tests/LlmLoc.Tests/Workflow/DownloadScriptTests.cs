namespace LlmLoc.Tests.Workflow;

/// <summary>The bash scripts against the same local sources: same files as the shared stimuli, nothing else.</summary>
public sealed class DownloadScriptTests : IDisposable
{
    readonly LocalHttpServer _server = new(new()
    {
        [StimuliSourceArchives.LanguagePath] = StimuliSourceArchives.Language(),
        [StimuliSourceArchives.TomPath] = StimuliSourceArchives.Tom(),
    });
    readonly TempDir _temp = new();

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    (int exitCode, string stderr) RunScript(string script, string stimuliDir, string variable, Uri url)
    {
        var run = Shell.Run(_temp.Path, "bash", [Path.Combine(Shared.RepoRoot, "scripts", script), stimuliDir],
            new Dictionary<string, string?> { [variable] = url.ToString() }, TimeSpan.FromSeconds(60));
        return (run.ExitCode, run.Stderr);
    }

    [Fact]
    public void Language_script_keeps_exactly_the_ten_csvs()
    {
        var stimuli = _temp.File("stimuli");

        var (exit, stderr) = RunScript("download_lang_stimuli.sh", stimuli, "LLMLOC_LANG_STIMULI_URL",
            _server.Url(StimuliSourceArchives.LanguagePath + "?dl=1"));

        Assert.True(exit == 0, stderr);
        AssertSameFiles(StimuliSourceArchives.LanguageDir, Path.Combine(stimuli, "language"));
        Assert.Equal(["language"], Directory.GetFileSystemEntries(stimuli).Select(Path.GetFileName));
    }

    [Fact]
    public void Tom_script_keeps_exactly_the_forty_texts_flat_in_tomloc()
    {
        var stimuli = _temp.File("stimuli");

        var (exit, stderr) = RunScript("download_tom_stimuli.sh", stimuli, "LLMLOC_TOM_STIMULI_URL",
            _server.Url(StimuliSourceArchives.TomPath));

        Assert.True(exit == 0, stderr);
        AssertSameFiles(StimuliSourceArchives.TomDir, Path.Combine(stimuli, "tom", "tomloc"));
        Assert.Equal(["tomloc"], Directory.GetFileSystemEntries(Path.Combine(stimuli, "tom")).Select(Path.GetFileName));
    }

    [Fact]
    public void A_404_makes_the_script_fail_with_exit_code_3_and_leave_no_archive()
    {
        var stimuli = _temp.File("stimuli");

        var (exit, stderr) = RunScript("download_tom_stimuli.sh", stimuli, "LLMLOC_TOM_STIMULI_URL", _server.Url("/missing.zip"));

        Assert.Equal(3, exit);
        Assert.Contains("could not download the theory-of-mind stimuli from", stderr);
        Assert.Empty(Directory.GetFiles(Path.Combine(stimuli, "tom")));
    }

    [Theory]
    [InlineData("download_lang_stimuli.sh", "LLMLOC_LANG_STIMULI_URL")]
    [InlineData("download_tom_stimuli.sh", "LLMLOC_TOM_STIMULI_URL")]
    public void A_failed_download_never_shows_the_urls_credentials(string script, string variable)
    {
        var url = new UriBuilder(_server.Url("/missing.zip")) { UserName = "alice", Password = "s3cret" }.Uri;

        var (exit, stderr) = RunScript(script, _temp.File("stimuli"), variable, url);

        Assert.Equal(3, exit);
        Assert.Contains("from http://***@127.0.0.1:", stderr);
        Assert.DoesNotContain("s3cret", stderr);
    }

    static void AssertSameFiles(string expectedDir, string actualDir)
    {
        var expected = StimuliSourceArchives.Snapshot(expectedDir);
        var actual = StimuliSourceArchives.Snapshot(actualDir);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (path, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[path]), path);
    }
}
