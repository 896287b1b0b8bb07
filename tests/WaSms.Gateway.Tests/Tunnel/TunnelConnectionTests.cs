using System.Text.Json;
using WaSms.Core.State;
using WaSms.Gateway.Tunnel.Connection;
using WaSms.Gateway.Tunnel.Identity;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>The gateway's tunnel connection against a scripted platform over real TLS on loopback, on a fake clock.</summary>
public sealed class TunnelConnectionTests
{
    private const string Nonce = "q8Y3Kx0V2nB7cJtQ4wE6uA";
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task EnrollsWithASignedCodeThenSaysHelloSignedAndGetsItsStateAcross()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);

        var (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await peer.SendAsync($$"""{"type":"challenge","nonce":"{{Nonce}}","time":"{{Now(rig)}}"}""");
            var enroll = await peer.ReceiveAsync("enroll");
            Assert.Equal(1, enroll.GetProperty("v").GetInt32());
            Assert.Equal("WSMS-7K2P-9QXD", enroll.GetProperty("code").GetString());
            var publicKey = enroll.GetProperty("publicKey").GetString()!;
            Assert.True(DeviceIdentity.Verify(publicKey, enroll.GetProperty("signature").GetString()!, "enroll", Nonce, "WSMS-7K2P-9QXD"));
            await peer.SendAsync("""{"type":"enrolled","gatewayId":"gw_test1","account":"90cf7d40a1b2"}""");

            var hello = await peer.ReceiveAsync("hello");
            Assert.Equal("gw_test1", hello.GetProperty("gatewayId").GetString());
            Assert.True(DeviceIdentity.Verify(publicKey, hello.GetProperty("signature").GetString()!, "hello", Nonce, "gw_test1"));
            Assert.Equal(0, hello.GetProperty("resume").GetProperty("platformSeq").GetInt64());
            await peer.SendAsync("""{"type":"welcome","session":"s_1","ackedCursor":0,"window":100,"pingInterval":20,"pingTimeout":10}""");

            var state = await peer.ReceiveAsync("state");
            Assert.Equal(rig.Machine.Current.StateName, state.GetProperty("state").GetString());
            Assert.Equal("1.5.0", state.GetProperty("firmware").GetString());
            Assert.Equal("none", (await peer.ReceiveAsync("pairing")).GetProperty("mode").GetString());
            Assert.Equal(PlatformLinkState.Connected, rig.Status.Current.State);
            Assert.Equal(new Enrollment("gw_test1", "90cf7d40a1b2"), await rig.Identity.GetEnrollmentAsync(None));

            await peer.SendAsync("""{"type":"error","code":"unavailable","message":"maintenance","terminal":false,"retryAfter":30}""");
            var end = await session;
            Assert.False(end.Terminal);
            Assert.Equal(TimeSpan.FromSeconds(30), end.RetryAfter);
            Assert.Equal("the platform reported unavailable: maintenance", end.Reason);
        }
    }

    [Fact]
    public async Task ACertificateFromAnUntrustedCaIsRefusedWithAReason()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(o => o.Url = platform.Url); // no Tunnel:CaFile
        var error = await RefusedAsync(rig, platform);
        Assert.Contains("the platform's certificate (issued by CN=Test Platform CA) is not trusted", error.Message);
    }

    [Fact]
    public async Task ACertificateForAnotherHostIsRefusedWithAReason()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path, leafHost: "platform.example");
        await using var rig = await TunnelRig.StartAsync(platform);
        var error = await RefusedAsync(rig, platform);
        Assert.Equal("the platform's certificate is for platform.example, not localhost", error.Message);
    }

    [Fact]
    public async Task ACertificateMatchingNoPinIsRefusedAndOneMatchingAPinIsAccepted()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var wrong = await TunnelRig.StartAsync(platform, o => { o.PinnedCertSha256 = new string('a', 64); });
        var error = await RefusedAsync(wrong, platform);
        Assert.Equal($"the platform's certificate ({platform.LeafSha256[..16]}…) matches none of Tunnel:PinnedCertSha256", error.Message);

        await using var right = await TunnelRig.StartAsync(o =>
        {
            o.Url = platform.Url;
            o.CaFile = platform.CaFile;
            o.PinnedCertSha256 = new string('b', 64) + "," + platform.LeafSha256.ToUpperInvariant();
        });
        var (_, peer) = await right.ConnectAsync(platform, None);
        await peer.DisposeAsync();
    }

    [Fact]
    public async Task ACertificateNotYetValidAtOurClockIsReportedWithBothDates()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path, notBefore: new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await using var rig = await TunnelRig.StartAsync(platform,
            now: new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var error = await RefusedAsync(rig, platform);
        Assert.Equal("clock skew: the platform's certificate is valid from 2026-11-01 00:00 UTC to 2027-11-01 00:00 UTC; this gateway's clock says 2025-03-01 12:00 UTC, 609 days before it: is the time synchronised (NTP)?",
            error.Message);
    }

    [Fact]
    public async Task NothingFromThePlatformForIntervalPlusTimeoutIsAHalfOpenConnection()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        var (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.ReceiveAsync("pairing");
            rig.Time.Advance(TimeSpan.FromSeconds(20));
            Assert.Equal("g_1", (await peer.ReceiveAsync("ping")).GetProperty("id").GetString());
            Assert.False(session.IsCompleted);
            rig.Time.Advance(TimeSpan.FromSeconds(10)); // 30 s of silence: 20 + 10
            var end = await session.WaitAsync(PeerConnection.Patience);
            Assert.Equal("half-open: nothing from the platform for 30 s", end.Reason);
            Assert.False(end.Terminal);
        }
    }

    [Fact]
    public async Task ARevokedGatewayStopsRetryingUntilANewCodeArrives()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        await rig.Identity.SaveEnrollmentAsync(await rig.Identity.GetOrCreateKeyAsync(None), new Enrollment("gw_old", null), null, None);
        using var service = new TunnelService(rig.Parts, rig.Connector(), rig.Machine, rig.Counters, new Random(7));
        var accept = platform.AcceptAsync(None);
        await service.StartAsync(None);
        await using (var peer = (await accept)!)
        {
            await peer.SendAsync($$"""{"type":"challenge","nonce":"{{Nonce}}","time":"{{Now(rig)}}"}""");
            await peer.ReceiveAsync("hello");
            await peer.SendAsync("""{"type":"error","code":"revoked","message":"this gateway was removed from the dashboard","terminal":true}""");
            await peer.ReceiveUntilClosedAsync();
        }
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Stopped, Eventually.DefaultTimeout, "the tunnel stops");
        Assert.Equal("enrollment revoked: this gateway was removed from the dashboard", rig.Status.Current.Reason);
        Assert.Null(await rig.Identity.GetEnrollmentAsync(None));

        rig.Time.Advance(TimeSpan.FromMinutes(10)); // longer than any backoff: no new attempt
        Assert.Equal(1, platform.Accepted);
        Assert.Equal(1, service.Attempts);
        Assert.Equal(0, rig.Counters.TunnelReconnects);

        var next = platform.AcceptAsync(None);
        rig.Codes.Set("WSMS-NEW1-CODE");
        await using (var peer = (await next)!)
        {
            await peer.SendAsync($$"""{"type":"challenge","nonce":"{{Nonce}}","time":"{{Now(rig)}}"}""");
            Assert.Equal("WSMS-NEW1-CODE", (await peer.ReceiveAsync("enroll")).GetProperty("code").GetString());
        }
        Assert.Equal(1, rig.Counters.TunnelReconnects);
        await service.StopAsync(None);
    }

    [Fact]
    public void BackoffIsFullJitterDoublingToTheCapAndResets()
    {
        var backoff = new Backoff(new Random(42));
        var reference = new Random(42);
        double[] ceilings = [2, 4, 8, 16, 32, 60, 60, 60];
        foreach (var ceiling in ceilings)
        {
            var delay = backoff.NextDelay();
            Assert.Equal(reference.NextDouble() * ceiling, delay.TotalSeconds, 1e-6);
            Assert.InRange(delay.TotalSeconds, 0, ceiling);
        }
        backoff.Reset();
        Assert.Equal(reference.NextDouble() * 2, backoff.NextDelay().TotalSeconds, 1e-6);
        Assert.Equal(reference.NextDouble() * 60, backoff.LongestDelay().TotalSeconds, 1e-6);
    }

    internal static string Now(TunnelRig rig) => rig.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Challenge, hello (enrolling first if needed) and welcome with <paramref name="ackedCursor"/>; returns the hello.</summary>
    internal static async Task<JsonElement> HandshakeAsync(TunnelRig rig, PeerConnection peer, long ackedCursor, int window = 100)
    {
        await peer.SendAsync($$"""{"type":"challenge","nonce":"{{Nonce}}","time":"{{Now(rig)}}"}""");
        var first = await peer.ReceiveAsync() ?? throw new InvalidOperationException("the gateway closed after the challenge");
        if (first.GetProperty("type").GetString() == "enroll")
        {
            await peer.SendAsync("""{"type":"enrolled","gatewayId":"gw_test1","account":"a1"}""");
            first = await peer.ReceiveAsync("hello");
        }
        await peer.SendAsync($$"""{"type":"welcome","session":"s","ackedCursor":{{ackedCursor}},"window":{{window}},"pingInterval":20,"pingTimeout":10}""");
        return first;
    }

    private static async Task<TunnelConnectException> RefusedAsync(TunnelRig rig, ScriptedPlatform platform)
    {
        var accept = platform.AcceptAsync(None);
        var error = await Assert.ThrowsAsync<TunnelConnectException>(() => rig.Connector().ConnectAsync(None));
        Assert.Null(await accept);
        Assert.False(error.Terminal);
        return error;
    }
}
