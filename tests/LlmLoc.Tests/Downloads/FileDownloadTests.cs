using System.Security.Cryptography;
using LlmLoc.Downloads;

namespace LlmLoc.Tests.Downloads;

/// <summary>The one download path on its own (the hub's tests drive it through the hub's protocol): resume, lock,
/// checks, atomic rename and clean-up, against a local server.</summary>
public sealed class FileDownloadTests : IDisposable
{
    static readonly byte[] Body = HubTestKit.Bytes(300_000, seed: 5);
    static readonly string BodySha256 = Convert.ToHexStringLower(SHA256.HashData(Body));

    readonly LocalHttpServer _server = new(new() { ["/data.bin"] = Body });
    readonly TempDir _temp = new();
    readonly StringWriter _log = new();

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    DownloadSettings Settings => DownloadSettings.ForData(_log) with { RetryDelay = TimeSpan.FromMilliseconds(20) };
    string Target => Path.Combine(_temp.Path, "new", "data.bin");
    DownloadRequest Request(string path = "/data.bin") => new(_server.Url(path), Target, "data.bin") { Sha256 = BodySha256 };
    Task Fetch(DownloadRequest request) => FileDownload.FetchAsync(request, Settings, CancellationToken.None);

    [Fact]
    public async Task ADroppedConnectionIsResumedWithARangeRequestAndLeavesOnlyTheFile()
    {
        _server.DropOnce["/data.bin"] = true;

        await Fetch(Request());

        Assert.Equal(Body, File.ReadAllBytes(Target));
        Assert.Equal([null, $"bytes={Body.Length / 2}-"], _server.Requests.Select(r => r.Header("Range")));
        Assert.Equal(["data.bin"], Directory.GetFileSystemEntries(Path.GetDirectoryName(Target)!).Select(Path.GetFileName)); // no lock, no partial
        Assert.Contains("llmloc: downloaded data.bin (293.0 kB in ", _log.ToString());
    }

    [Fact]
    public async Task APartialFileOfAnEarlierRunIsResumedFromItsSize()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Target)!);
        File.WriteAllBytes(Target + ".incomplete", Body[..1000]);

        await Fetch(Request());

        Assert.Equal(Body, File.ReadAllBytes(Target));
        Assert.Equal("bytes=1000-", Assert.Single(_server.Requests).Header("Range"));
        Assert.Contains("resumed at 1000 B", _log.ToString());
    }

    [Fact]
    public async Task TwoFetchesOfOneFileAtOnceDownloadItOnce()
    {
        await Task.WhenAll(Fetch(Request()), Fetch(Request()));

        Assert.Equal(Body, File.ReadAllBytes(Target));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task WrongBytesAreDeletedWithTheFoldersMadeForThem()
    {
        var e = await Assert.ThrowsAsync<DownloadException>(() => Fetch(Request() with { Sha256 = new string('0', 64) }));

        Assert.Equal(DownloadFailure.Corrupt, e.Failure);
        Assert.StartsWith($"the file's sha256 is not the pinned one ({BodySha256[..12]}… instead of 000000000000…)", e.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(Target)));
    }

    [Fact]
    public async Task MoreThanTheLimitIsStoppedAndNothingIsLeft()
    {
        var e = await Assert.ThrowsAsync<DownloadException>(() => Fetch(Request() with { MaxBytes = 100_000 }));

        Assert.Equal(DownloadFailure.TooLarge, e.Failure);
        Assert.False(Directory.Exists(Path.GetDirectoryName(Target)));
    }

    [Fact]
    public async Task AnHttpErrorIsRefusedWithItsStatus()
    {
        var e = await Assert.ThrowsAsync<DownloadException>(() => Fetch(Request("/gone.bin")));

        Assert.Equal((DownloadFailure.Refused, 404), (e.Failure, e.Status));
        Assert.Equal("HTTP 404 (Not Found)", e.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(Target)));
    }

    [Theory]
    [InlineData(false, null, null, null, true)]
    [InlineData(true, null, null, null, false)]           // --offline
    [InlineData(false, "1", null, null, false)]           // LLMLOC_NO_DOWNLOAD
    [InlineData(false, "0", null, null, true)]
    [InlineData(false, null, "yes", null, false)]         // HF_HUB_OFFLINE, huggingface_hub's true values
    [InlineData(false, null, "0", "1", true)]             // HF_HUB_OFFLINE set wins over TRANSFORMERS_OFFLINE
    [InlineData(false, null, null, "ON", false)]          // TRANSFORMERS_OFFLINE
    public void DataFetchesFollowTheOfflineSwitches(bool offline, string? noDownload, string? hubOffline, string? transformersOffline, bool allowed)
    {
        var env = new Dictionary<string, string?>
            { ["LLMLOC_NO_DOWNLOAD"] = noDownload, ["HF_HUB_OFFLINE"] = hubOffline, ["TRANSFORMERS_OFFLINE"] = transformersOffline };
        Assert.Equal(allowed, DownloadSettings.DataFetchAllowed(offline, k => env.GetValueOrDefault(k)));
    }
}
