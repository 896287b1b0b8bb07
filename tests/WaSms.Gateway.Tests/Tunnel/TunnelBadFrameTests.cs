using WaSms.Core.State;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using WaSms.Gateway.Tunnel.Connection;
using WaSms.Gateway.Tunnel.Identity;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>
/// Frames from the platform that break docs/tunnel.md, over a real connection (the codec's own rules are
/// FrameCodecTests'): each is answered with one <c>error</c> frame and the close status of §8, the session
/// ends retryable, nothing in the bad frame is executed, and after the reconnect the platform's resend of
/// what it may not have seen answered is replayed, not run twice — nothing lost, nothing sent twice.
/// </summary>
public sealed class TunnelBadFrameTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string Send(long seq, string jobId, string text) =>
        $$"""{"type":"send","seq":{{seq}},"jobId":"{{jobId}}","to":"+4915112345678","kind":"text","text":"{{text}}","priority":2}""";

    [Theory]
    [InlineData("not JSON", "bad-frame", WebSocketCloseStatus.PolicyViolation, "protocol error: the frame is not JSON")]
    [InlineData("binary", "bad-frame", WebSocketCloseStatus.PolicyViolation, "protocol error: a binary message (frames are text)")]
    [InlineData("oversized", "too-large", WebSocketCloseStatus.MessageTooBig, "protocol error: a frame over the limit of 262144 bytes")]
    [InlineData("send without a jobId", "bad-frame", WebSocketCloseStatus.PolicyViolation, "protocol error: send.jobId: is missing")]
    [InlineData("unknown type", "unknown-type", WebSocketCloseStatus.PolicyViolation, "protocol error: unknown frame type 'teleport'")]
    [InlineData("challenge after welcome", "unknown-type", WebSocketCloseStatus.PolicyViolation, "protocol error: a challenge frame is the gateway's to send, or the handshake's")]
    [InlineData("seq gap", "out-of-order", WebSocketCloseStatus.PolicyViolation, "protocol error: send.seq: 3 follows 1 (a gap; resend in order)")]
    [InlineData("ack beyond what was sent", "out-of-order", WebSocketCloseStatus.PolicyViolation, "protocol error: ack.cursor: 999999 is beyond the last event sent")]
    public async Task ABadFrameIsOneErrorAndAResetAndTheResendAfterIsNeitherLostNorRunTwice(string bad, string code, WebSocketCloseStatus close, string reason)
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform);

        string messageId;
        var (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.SendAsync(Send(1, "j1", "first"));
            var job = await peer.ReceiveAsync("job");
            Assert.Equal("accepted", job.GetProperty("state").GetString());
            messageId = job.GetProperty("messageId").GetString()!;

            await SendBadAsync(peer, bad);
            var error = await peer.ReceiveAsync("error");
            Assert.Equal(code, error.GetProperty("code").GetString());
            Assert.False(error.GetProperty("terminal").GetBoolean());
            Assert.DoesNotContain('\n', error.GetProperty("message").GetString()!);
            var after = await peer.ReceiveUntilClosedAsync();
            Assert.DoesNotContain(after, f => f.GetProperty("type").GetString() == "job"); // nothing of the bad frame was run
            Assert.Equal(close, peer.CloseStatus);

            var end = await session.WaitAsync(PeerConnection.Patience);
            Assert.False(end.Terminal);
            Assert.Equal(code, end.ErrorCode);
            Assert.StartsWith(reason, end.Reason, StringComparison.Ordinal);
        }
        Assert.Equal(1, await rig.Store.GetPlatformSeqAsync(None));
        Assert.Null(await rig.Store.GetOutboundByCallerIdAsync("j3", None));

        (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            var hello = await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            Assert.Equal(1, hello.GetProperty("resume").GetProperty("platformSeq").GetInt64());
            // A platform unsure whether its seq 1 was answered sends it again: the same job, answered, not queued again.
            await peer.SendAsync(Send(1, "j1", "first"));
            var replay = await peer.ReceiveAsync("job");
            Assert.Equal((1L, "accepted", messageId), (replay.GetProperty("seq").GetInt64(), replay.GetProperty("state").GetString(), replay.GetProperty("messageId").GetString()));
            await peer.SendAsync(Send(2, "j2", "second"));
            Assert.Equal("accepted", (await peer.ReceiveAsync("job")).GetProperty("state").GetString());
        }
        Assert.Equal(2, await rig.Store.GetPlatformSeqAsync(None));
        Assert.Equal(2, await rig.Store.CountPendingSendsAsync(None));
        Assert.Equal(2, rig.Waker.Wakes);
    }

    private static Task SendBadAsync(PeerConnection peer, string bad) => bad switch
    {
        "not JSON" => peer.SendAsync("""{"type":"send","seq":2,"jobId":"j3","""),
        "binary" => peer.SendRawAsync(Encoding.UTF8.GetBytes(Send(2, "j3", "as binary")), WebSocketMessageType.Binary),
        "oversized" => peer.SendRawAsync(Encoding.UTF8.GetBytes(Send(2, "j3", new string('x', 300 * 1024))), WebSocketMessageType.Text),
        "send without a jobId" => peer.SendAsync("""{"type":"send","seq":2,"to":"+4915112345678","kind":"text","text":"x"}"""),
        "unknown type" => peer.SendAsync("""{"type":"teleport","seq":2,"jobId":"j3"}"""),
        "challenge after welcome" => peer.SendAsync("""{"type":"challenge","nonce":"q8Y3Kx0V2nB7cJtQ4wE6uA","time":"2026-12-02T10:15:00.000Z"}"""),
        "seq gap" => peer.SendAsync(Send(3, "j3", "skipped one")),
        "ack beyond what was sent" => peer.SendAsync("""{"type":"ack","cursor":999999}"""),
        _ => throw new ArgumentOutOfRangeException(nameof(bad), bad, "no such bad frame"),
    };

    [Fact]
    public async Task AJobBeforeWelcomeIsOutOfOrderAndNotRun()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform);
        await rig.Identity.SaveEnrollmentAsync(await rig.Identity.GetOrCreateKeyAsync(None), new Enrollment("gw_1", null), null, None);
        var (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await peer.SendAsync($$"""{"type":"challenge","nonce":"q8Y3Kx0V2nB7cJtQ4wE6uA","time":"{{TunnelConnectionTests.Now(rig)}}"}""");
            await peer.ReceiveAsync("hello");
            await peer.SendAsync(Send(1, "j1", "too early"));
            var error = await peer.ReceiveAsync("error");
            Assert.Equal(("out-of-order", "send before welcome"), (error.GetProperty("code").GetString(), error.GetProperty("message").GetString()));
            Assert.Empty(await peer.ReceiveUntilClosedAsync());
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, peer.CloseStatus);
            Assert.False((await session.WaitAsync(PeerConnection.Patience)).Terminal);
        }
        Assert.Equal(0, await rig.Store.GetPlatformSeqAsync(None));
        Assert.Null(await rig.Store.GetOutboundByCallerIdAsync("j1", None));
        Assert.Equal(0, rig.Waker.Wakes);
    }

    [Fact]
    public async Task APlatformSpeakingAnotherProtocolVersionStopsTheTunnelUntilAnUpdate()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path, subProtocol: "wasms-tunnel.v2");
        await using var rig = await TunnelRig.StartAsync(platform);
        using var service = new TunnelService(rig.Parts, rig.Connector(), rig.Machine, rig.Counters, new Random(7));
        var accept = platform.AcceptAsync(None);
        await service.StartAsync(None);
        await using (var peer = await accept)
        {
            await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Stopped, Eventually.DefaultTimeout, "the tunnel stops",
                () => $"{rig.Status.Current.State}: {rig.Status.Current.Reason}");
        }
        Assert.Contains("firmware update needed", rig.Status.Current.Reason, StringComparison.Ordinal);
        rig.Time.Advance(TimeSpan.FromMinutes(10)); // longer than any backoff: no new attempt
        Assert.Equal((1, 1), (service.Attempts, platform.Accepted));
        await service.StopAsync(None);
    }

    [Fact]
    public async Task AnUnsupportedVersionErrorAfterHelloStopsTheTunnelAndKeepsTheEnrollment()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        await rig.Identity.SaveEnrollmentAsync(await rig.Identity.GetOrCreateKeyAsync(None), new Enrollment("gw_1", null), null, None);
        using var service = new TunnelService(rig.Parts, rig.Connector(), rig.Machine, rig.Counters, new Random(7));
        var accept = platform.AcceptAsync(None);
        await service.StartAsync(None);
        await using (var peer = (await accept)!)
        {
            await peer.SendAsync($$"""{"type":"challenge","nonce":"q8Y3Kx0V2nB7cJtQ4wE6uA","time":"{{TunnelConnectionTests.Now(rig)}}"}""");
            await peer.ReceiveAsync("hello");
            await peer.SendAsync("""{"type":"error","code":"unsupported-version","message":"this platform speaks v2 only","terminal":true}""");
            await peer.ReceiveUntilClosedAsync();
        }
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Stopped, Eventually.DefaultTimeout, "the tunnel stops");
        Assert.Equal("firmware update needed: this platform speaks v2 only", rig.Status.Current.Reason);
        Assert.Equal(new Enrollment("gw_1", null), await rig.Identity.GetEnrollmentAsync(None)); // an update, not a new code, is what it waits for
        rig.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal((1, 1), (service.Attempts, platform.Accepted));
        await service.StopAsync(None);
    }
}
