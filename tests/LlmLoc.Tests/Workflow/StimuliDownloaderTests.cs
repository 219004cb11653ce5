using System.Security.Cryptography;
using LlmLoc.Stimuli.Download;

namespace LlmLoc.Tests.Workflow;

public sealed class StimuliDownloaderTests : IDisposable
{
    readonly byte[] _languageZip = StimuliSourceArchives.Language();
    readonly byte[] _tomZip = StimuliSourceArchives.Tom();
    readonly LocalHttpServer _server;
    readonly TempDir _temp = new();
    readonly StringWriter _log = new();

    public StimuliDownloaderTests() =>
        _server = new LocalHttpServer(new()
        {
            [StimuliSourceArchives.LanguagePath] = _languageZip,
            [StimuliSourceArchives.TomPath] = _tomZip,
            ["/not-a-zip"] = "<html>Dropbox preview</html>"u8.ToArray(),
        });

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    StimuliDownloader Downloader(string languagePath = StimuliSourceArchives.LanguagePath + "?dl=1",
        string tomPath = StimuliSourceArchives.TomPath) =>
        new(new StimuliSources(_server.Url(languagePath), _server.Url(tomPath)));

    string StimuliDir => _temp.File("stimuli");

    static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task All_yields_files_byte_identical_to_the_shared_stimuli_and_nothing_else()
    {
        var result = await Downloader().DownloadAsync("all", StimuliDir, _log, CancellationToken.None);

        Assert.Equal(["language", "theory-of-mind"], result.Downloaded);
        Assert.Empty(result.Skipped);
        Assert.Equal(50, result.FilesWritten.Count);

        var expected = StimuliSourceArchives.Snapshot(StimuliSourceArchives.LanguageDir)
            .Select(kv => ("language/" + kv.Key, kv.Value))
            .Concat(StimuliSourceArchives.Snapshot(StimuliSourceArchives.TomDir).Select(kv => ("tom/tomloc/" + kv.Key, kv.Value)))
            .Append((SourcesLedgerName, File.ReadAllBytes(Path.Combine(StimuliDir, SourcesLedgerName))))
            .ToDictionary(x => x.Item1, x => x.Item2);
        var actual = StimuliSourceArchives.Snapshot(StimuliDir);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys);
        Assert.Equal(10, actual.Keys.Count(k => k.StartsWith("language/")));
        Assert.Equal(40, actual.Keys.Count(k => k.StartsWith("tom/tomloc/")));
        foreach (var (path, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[path]), path);
    }

    const string SourcesLedgerName = "SOURCES.sha256";

    [Fact]
    public async Task Sources_file_holds_the_sha256_of_each_archive_and_kept_file_in_sha256sum_format()
    {
        await Downloader().DownloadAsync("all", StimuliDir, _log, CancellationToken.None);

        var lines = File.ReadAllLines(Path.Combine(StimuliDir, SourcesLedgerName));
        Assert.Equal(52, lines.Length);
        var byPath = lines.ToDictionary(l => l[66..], l => l[..64]);
        Assert.All(lines, l => Assert.Matches("^[0-9a-f]{64}  [^ ]", l));
        Assert.Equal(Sha256(_languageZip), byPath["language/data.zip"]);
        Assert.Equal(Sha256(_tomZip), byPath["tom/tomloc.zip"]);
        Assert.Equal(Sha256(File.ReadAllBytes(Path.Combine(StimuliSourceArchives.LanguageDir, "langloc_fmri_run2_stim_set4.csv"))),
            byPath["language/langloc_fmri_run2_stim_set4.csv"]);
        Assert.Equal(Sha256(File.ReadAllBytes(Path.Combine(StimuliSourceArchives.TomDir, "7p_question.txt"))),
            byPath["tom/tomloc/7p_question.txt"]);
    }

    [Fact]
    public async Task Second_call_fetches_nothing_and_reports_both_networks_skipped()
    {
        var downloader = Downloader();
        await downloader.DownloadAsync("all", StimuliDir, _log, CancellationToken.None);
        Assert.Equal(2, _server.Requests.Count);

        var again = await downloader.DownloadAsync("all", StimuliDir, _log, CancellationToken.None);

        Assert.Equal(2, _server.Requests.Count);
        Assert.Empty(again.Downloaded);
        Assert.Equal(["language", "theory-of-mind"], again.Skipped);
        Assert.Empty(again.FilesWritten);
    }

    [Fact]
    public async Task A_missing_or_altered_file_refetches_only_its_own_network()
    {
        var downloader = Downloader();
        await downloader.DownloadAsync("all", StimuliDir, _log, CancellationToken.None);
        File.Delete(Path.Combine(StimuliDir, "tom", "tomloc", "3b_story.txt"));

        var tomAgain = await downloader.DownloadAsync("all", StimuliDir, _log, CancellationToken.None);
        Assert.Equal(["theory-of-mind"], tomAgain.Downloaded);
        Assert.Equal([StimuliSourceArchives.TomPath], _server.Requests.Skip(2).Select(r => r.Path));
        Assert.True(File.Exists(Path.Combine(StimuliDir, "tom", "tomloc", "3b_story.txt")));

        var csv = Path.Combine(StimuliDir, "language", "langloc_fmri_run1_stim_set1.csv");
        File.AppendAllText(csv, "tampered\n");
        var languageAgain = await downloader.DownloadAsync("all", StimuliDir, _log, CancellationToken.None);
        Assert.Equal(["language"], languageAgain.Downloaded);
        Assert.Equal(File.ReadAllBytes(Path.Combine(StimuliSourceArchives.LanguageDir, "langloc_fmri_run1_stim_set1.csv")),
            File.ReadAllBytes(csv));
    }

    [Fact]
    public async Task Files_put_there_by_hand_are_kept_and_nothing_is_fetched()
    {
        var language = Path.Combine(StimuliDir, "language");
        Directory.CreateDirectory(language);
        foreach (var csv in Directory.GetFiles(StimuliSourceArchives.LanguageDir))
            File.Copy(csv, Path.Combine(language, Path.GetFileName(csv)));

        var result = await Downloader().DownloadAsync("language", StimuliDir, _log, CancellationToken.None);

        Assert.Equal(["language"], result.Skipped);
        Assert.Empty(_server.Requests);
        Assert.Contains("already complete", _log.ToString());
    }

    [Fact]
    public async Task A_404_gives_the_one_line_error_naming_the_url_and_the_fix()
    {
        var downloader = Downloader(languagePath: "/gone.zip");

        var e = await Assert.ThrowsAsync<StimuliDownloadException>(() =>
            downloader.DownloadAsync("language", StimuliDir, _log, CancellationToken.None));

        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.Equal(
            $"could not download the language stimuli from {_server.Url("/gone.zip")}: HTTP 404 (Not Found); " +
            $"put the files in {Path.Combine(StimuliDir, "language")} by hand or use --stimuli-dir",
            e.Message);
        Assert.False(File.Exists(Path.Combine(StimuliDir, SourcesLedgerName)));
        Assert.False(Directory.Exists(Path.Combine(StimuliDir, "language")));
    }

    [Fact]
    public async Task Credentials_in_a_source_url_never_reach_the_log_or_the_error()
    {
        var url = new UriBuilder(_server.Url("/gone.zip")) { UserName = "alice", Password = "s3cret" }.Uri;
        var downloader = new StimuliDownloader(new StimuliSources(url, url));

        var e = await Assert.ThrowsAsync<StimuliDownloadException>(() =>
            downloader.DownloadAsync("language", StimuliDir, _log, CancellationToken.None));

        Assert.Contains("from http://***@127.0.0.1:", _log.ToString());
        Assert.StartsWith("could not download the language stimuli from http://***@127.0.0.1:", e.Message);
        Assert.DoesNotContain("s3cret", _log + e.Message);
        Assert.DoesNotContain("alice", _log + e.Message);
    }

    [Fact]
    public async Task A_refused_connection_gives_a_one_line_runtime_error()
    {
        var closed = new StimuliDownloader(new StimuliSources(new Uri("http://127.0.0.1:9/x.zip"), new Uri("http://127.0.0.1:9/y.zip")));

        var e = await Assert.ThrowsAsync<StimuliDownloadException>(() =>
            closed.DownloadAsync("theory-of-mind", StimuliDir, _log, CancellationToken.None));

        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.StartsWith("could not download the theory-of-mind stimuli from http://127.0.0.1:9/y.zip: ", e.Message);
        Assert.EndsWith("by hand or use --stimuli-dir", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task An_answer_that_is_not_a_zip_is_reported_as_such()
    {
        var e = await Assert.ThrowsAsync<StimuliDownloadException>(() =>
            Downloader(languagePath: "/not-a-zip").DownloadAsync("language", StimuliDir, _log, CancellationToken.None));

        Assert.Contains(": the answer is not a zip archive; put the files in", e.Message);
        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
    }

    [Fact]
    public async Task An_archive_without_the_expected_files_is_rejected_before_anything_is_written()
    {
        // The language archive served where tomloc.zip should be: no story/question texts inside.
        var e = await Assert.ThrowsAsync<StimuliDownloadException>(() =>
            Downloader(tomPath: StimuliSourceArchives.LanguagePath).DownloadAsync("theory-of-mind", StimuliDir, _log, CancellationToken.None));

        Assert.Contains("the archive lacks 40 expected file(s), e.g. 1b_story.txt", e.Message);
        Assert.False(Directory.Exists(Path.Combine(StimuliDir, "tom")));
    }

    [Fact]
    public async Task An_unknown_network_is_a_usage_error()
    {
        var e = await Assert.ThrowsAsync<LlmLocException>(() =>
            Downloader().DownloadAsync("multiple-demand", StimuliDir, _log, CancellationToken.None));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal("unknown network 'multiple-demand' for the stimuli download; use language, theory-of-mind or all", e.Message);
    }

    [Fact]
    public async Task StimuliDownloadsOfOneFolderAtOnceFetchEachArchiveOnce()
    {
        var downloader = Downloader();

        var results = await Task.WhenAll(
            downloader.DownloadAsync("theory-of-mind", StimuliDir, TextWriter.Null, CancellationToken.None),
            downloader.DownloadAsync("theory-of-mind", StimuliDir, TextWriter.Null, CancellationToken.None));

        Assert.Single(_server.Requests);
        Assert.Equal(new[] { new[] { "theory-of-mind" }, [] }, results.Select(r => r.Downloaded.ToArray()).OrderByDescending(d => d.Length));
        Assert.Equal(["SOURCES.sha256", "tom"], Directory.GetFileSystemEntries(StimuliDir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task AnArchiveWhoseConnectionDropsIsResumedWhereItStopped()
    {
        _server.DropOnce[StimuliSourceArchives.LanguagePath] = true;

        var result = await Downloader().DownloadAsync("language", StimuliDir, _log, CancellationToken.None);

        Assert.Equal(["language"], result.Downloaded);
        Assert.Equal([null, $"bytes={_languageZip.Length / 2}-"], _server.Requests.Select(r => r.Header("Range")));
        Assert.Equal(10, Directory.GetFiles(Path.Combine(StimuliDir, "language")).Length);
    }
}
