using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Gateway.Updates;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// The bundle download against a real HTTPS server on loopback with a CA made for the test (docs/updates.md §5):
/// a broken connection resumes with Range and If-Range, also after a restart; a server without Range support
/// starts over; 404, an oversize bundle, another sha256 and an untrusted certificate end it with their reason.
/// </summary>
public sealed class BundleDownloaderTests : IAsyncDisposable
{
    private const int Size = 1_000_000;
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly BundleServer _server = new(RandomNumberGenerator.GetBytes(Size));
    private readonly List<DownloadProgress> _progress = [];

    private string Updates => _dir.File("updates");

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private BundleDownloader Downloader(int attempts = 4, long max = 16 * 1024 * 1024, BundleServer? trusting = null) =>
        new(Updates, max, attempts, TimeSpan.FromSeconds(10), (trusting ?? _server).TrustingHandler(), _time, NullLogger<BundleDownloader>.Instance);

    /// <summary>Runs the download while moving the fake clock on, so that its waits between attempts pass.</summary>
    private async Task<string> DownloadAsync(BundleDownloader downloader, string? sha256 = null)
    {
        var download = downloader.DownloadAsync(_server.UrlFor(), sha256, new Recorder(_progress), CancellationToken.None);
        await Eventually.UntilAsync(() => download.IsCompleted, Eventually.DefaultTimeout, "the download to end",
            () => $"{_server.Requests.Count} requests", between: () => _time.Advance(TimeSpan.FromSeconds(5)));
        return await download;
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task BrokenConnection_ResumesWithRangeAndIfRange_AndTheBundleIsWhole()
    {
        _server.CutAfter[0] = 300_000;
        using var downloader = Downloader();

        var path = await DownloadAsync(downloader, _server.Sha256);

        Assert.Equal(2, _server.Requests.Count);
        Assert.False(_server.Request(0).ContainsKey("range"));
        Assert.Equal(("bytes=300000-", "\"bundle-v1\""), (_server.Request(1)["range"], _server.Request(1)["if-range"]));
        Assert.Equal(_server.Sha256, Sha(path));
        Assert.Equal("wasms-gateway-2.0.0.raucb", Path.GetFileName(path)[13..]);
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(Updates).Select(Path.GetFileName));
        Assert.Equal(new DownloadProgress(Size, Size), _progress[^1]);
        Assert.Contains(_progress, p => p is { Bytes: 300_000, Total: Size });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Updates));
    }

    [Fact]
    public async Task ServiceRestart_ResumesFromThePartFile()
    {
        _server.CutAfter[0] = 400_000;
        using (var first = Downloader(attempts: 1))
        {
            var failed = await Assert.ThrowsAsync<BundleDownloadException>(() => DownloadAsync(first));
            Assert.False(failed.Refused);
            Assert.Contains("failed after 1 attempts", failed.Message);
        }
        var part = Assert.Single(Directory.GetFiles(Updates, "*.part"));
        Assert.Equal(400_000, new FileInfo(part).Length);

        using var second = Downloader();
        var path = await DownloadAsync(second, _server.Sha256);

        Assert.Equal("bytes=400000-", _server.Request(1)["range"]);
        Assert.Equal(_server.Sha256, Sha(path));
        Assert.Empty(Directory.GetFiles(Updates, "*.part*"));
    }

    [Fact]
    public async Task ServerWithoutRangeSupport_StartsOverFromZero()
    {
        _server.CutAfter[0] = 300_000;
        _server.SupportsRange = false;
        using var downloader = Downloader();

        var path = await DownloadAsync(downloader);

        Assert.Equal("bytes=300000-", _server.Request(1)["range"]); // asked for the rest, got 200 and all of it
        Assert.Equal(_server.Sha256, Sha(path));
        Assert.Equal(Size, new FileInfo(path).Length);
    }

    [Fact]
    public async Task ChangedFile_IfRangeFails_StartsOverWithTheNewFile()
    {
        _server.CutAfter[0] = 300_000;
        using var downloader = Downloader(attempts: 1);
        await Assert.ThrowsAsync<BundleDownloadException>(() => DownloadAsync(downloader));
        _server.Content = RandomNumberGenerator.GetBytes(Size);
        _server.ETag = "\"bundle-v2\"";

        var path = await DownloadAsync(downloader);

        Assert.Equal("\"bundle-v1\"", _server.Request(1)["if-range"]);
        Assert.Equal(_server.Sha256, Sha(path)); // the new file whole, not the old start spliced to the new end
    }

    [Fact]
    public async Task NotFound_FailsAtOnceNamingTheStatus()
    {
        _server.Status = HttpStatusCode.NotFound;
        using var downloader = Downloader();

        var failed = await Assert.ThrowsAsync<BundleDownloadException>(() => DownloadAsync(downloader));

        Assert.False(failed.Refused);
        Assert.Equal($"downloading https://127.0.0.1:{_server.Port}/firmware/wasms-gateway-2.0.0.raucb failed: the server answered 404 NotFound", failed.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ServerErrors_AreRetriedABoundedNumberOfTimes()
    {
        _server.Status = HttpStatusCode.ServiceUnavailable;
        using var downloader = Downloader(attempts: 3);

        var failed = await Assert.ThrowsAsync<BundleDownloadException>(() => DownloadAsync(downloader));

        Assert.Equal(3, _server.Requests.Count);
        Assert.EndsWith("failed after 3 attempts: the server answered 503 ServiceUnavailable", failed.Message);
    }

    [Fact]
    public async Task LargerContentLength_IsRefusedBeforeTheBody()
    {
        using var downloader = Downloader(max: Size - 1);

        var refused = await Assert.ThrowsAsync<BundleDownloadException>(() => DownloadAsync(downloader));

        Assert.True(refused.Refused);
        Assert.EndsWith($"is {Size} bytes, more than Updates:MaxBundleBytes ({Size - 1})", refused.Message);
        Assert.Empty(Directory.GetFiles(Updates));
    }

    [Fact]
    public async Task BodyGrowingPastTheLimit_IsStopped()
    {
        _server.SendsLength = false;
        using var downloader = Downloader(max: 500_000);

        var refused = await Assert.ThrowsAsync<BundleDownloadException>(() => DownloadAsync(downloader));

        Assert.True(refused.Refused);
        Assert.EndsWith("grew past Updates:MaxBundleBytes (500000 bytes); stopped", refused.Message);
        Assert.Empty(Directory.GetFiles(Updates));
        Assert.True(_progress.Max(p => p.Bytes) <= 500_000);
    }

    [Fact]
    public async Task OtherSha256_IsRefusedAndTheFileDeleted()
    {
        using var downloader = Downloader();
        var wrong = new string('0', 64);

        var refused = await Assert.ThrowsAsync<BundleDownloadException>(() => DownloadAsync(downloader, wrong));

        Assert.True(refused.Refused);
        Assert.EndsWith($"has sha256 {_server.Sha256}, not the expected {wrong}", refused.Message);
        Assert.Empty(Directory.GetFiles(Updates));
    }

    [Fact]
    public async Task UntrustedCertificate_IsNeverAccepted()
    {
        await using var other = new BundleServer([1], "Another CA");
        using var downloader = Downloader(attempts: 1, trusting: other);

        var failed = await Assert.ThrowsAsync<BundleDownloadException>(() => DownloadAsync(downloader));

        Assert.Contains("SSL", failed.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.GetFiles(Updates, "*.raucb"));
    }

    [Theory]
    [InlineData("http://127.0.0.1/b.raucb", false, "http://127.0.0.1/b.raucb: http:// is refused, bundles are downloaded over https only (Updates:AllowHttp is for tests)")]
    [InlineData("http://127.0.0.1/b.raucb", true, null)]
    [InlineData("ftp://example.com/b.raucb", false, "\"ftp://example.com/b.raucb\" is not an https:// URL or the path of a bundle file")]
    [InlineData("https://", false, "\"https://\" is not an https:// URL or the path of a bundle file")]
    [InlineData("https://example.com/b.raucb?token=x", false, null)]
    public void CheckUrl_AcceptsHttpsOnly(string url, bool allowHttp, string? problem)
    {
        Assert.Equal(problem, BundleDownloader.CheckUrl(url, allowHttp, out _));
    }

    private sealed class Recorder(List<DownloadProgress> seen) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value)
        {
            lock (seen)
            {
                seen.Add(value);
            }
        }
    }
}
