using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Gateway.Tunnel.Connection;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>Events, acks, jobs and commands over the tunnel against a scripted platform, and the store's job+seq atomicity.</summary>
public sealed class TunnelSyncTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task EventsNotAcknowledgedAreSentAgainAfterAReconnectFromTheWelcomesCursor()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        await rig.AddInboundAsync("3EB0A1", "one");
        await rig.AddInboundAsync("3EB0A2", "two");
        await rig.AddInboundAsync("3EB0A3", "three");

        long firstCursor;
        var (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            var events = new[] { await peer.ReceiveAsync("event"), await peer.ReceiveAsync("event"), await peer.ReceiveAsync("event") };
            Assert.Equal(["one", "two", "three"], events.Select(e => e.GetProperty("message").GetProperty("text").GetString()));
            Assert.Equal("+4915112345678", events[0].GetProperty("message").GetProperty("from").GetString());
            firstCursor = events[0].GetProperty("cursor").GetInt64();
            await peer.SendAsync($$"""{"type":"ack","cursor":{{firstCursor}}}""");
            await peer.SendAsync($$"""{"type":"ack","cursor":{{firstCursor + 1000}}}"""); // beyond what was sent
            var error = await peer.ReceiveAsync("error");
            Assert.Equal("out-of-order", error.GetProperty("code").GetString());
            Assert.Equal("protocol error: ack.cursor: 1001 is beyond the last event sent (3)", (await session).Reason);
        }
        Assert.Equal(firstCursor, await rig.Parts.Messaging.GetAckedCursorAsync(TunnelSession.PlatformConsumer, None));

        (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: firstCursor);
            Assert.Equal("two", (await peer.ReceiveAsync("event")).GetProperty("message").GetProperty("text").GetString());
            Assert.Equal("three", (await peer.ReceiveAsync("event")).GetProperty("message").GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task NoMoreThanTheWindowOfEventsIsUnacknowledged()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        for (var i = 1; i <= 3; i++)
        {
            await rig.AddInboundAsync($"3EB0B{i}", $"m{i}");
        }
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0, window: 2);
            var first = await peer.ReceiveAsync("event");
            await peer.ReceiveAsync("event");
            await peer.SendAsync("""{"type":"ping","id":"p_1"}""");
            var between = new List<System.Text.Json.JsonElement>();
            Assert.Equal("p_1", (await peer.ReceiveAsync("pong", between)).GetProperty("id").GetString());
            Assert.DoesNotContain(between, f => f.GetProperty("type").GetString() == "event"); // the window is full
            await peer.SendAsync($$"""{"type":"ack","cursor":{{first.GetProperty("cursor").GetInt64()}}}""");
            Assert.Equal("m3", (await peer.ReceiveAsync("event")).GetProperty("message").GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task ARepeatedJobIsAnsweredWithItsCurrentStateAndNotQueuedTwice()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform);
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            const string send = """{"type":"send","seq":1,"jobId":"8812","to":"+4915112345678","kind":"text","text":"Yes, 9 to 6.","priority":1}""";
            await peer.SendAsync(send);
            var accepted = await peer.ReceiveAsync("job");
            Assert.Equal("accepted", accepted.GetProperty("state").GetString());
            var messageId = accepted.GetProperty("messageId").GetString()!;
            Assert.Equal(1, rig.Waker.Wakes);

            await rig.Store.UpdateOutboundStatusAsync(messageId, WaSms.WhatsApp.Store.MessageStatus.Delivered, rig.Time.GetUtcNow(), null, None);
            await peer.SendAsync(send); // the same seq again: a replay
            var replay = await peer.ReceiveAsync("job");
            Assert.Equal("delivered", replay.GetProperty("state").GetString());
            Assert.Equal(messageId, replay.GetProperty("messageId").GetString());
            Assert.True(replay.TryGetProperty("deliveredAt", out _));

            await peer.SendAsync(send.Replace("\"seq\":1", "\"seq\":2")); // the same job id under a new seq
            Assert.Equal("delivered", (await peer.ReceiveAsync("job")).GetProperty("state").GetString());
            await peer.SendAsync("""{"type":"send","seq":3,"jobId":"8812","to":"+4915112345678","kind":"text","text":"Another text"}""");
            var reused = await peer.ReceiveAsync("job");
            Assert.Equal("failed", reused.GetProperty("state").GetString());
            Assert.Equal("job-id-reused", reused.GetProperty("reason").GetString());

            await peer.SendAsync("""{"type":"send","seq":4,"jobId":"8813","to":"not a number","kind":"text","text":"x"}""");
            var refused = await peer.ReceiveAsync("job");
            Assert.Equal("bad-recipient", refused.GetProperty("reason").GetString());
            var status = await peer.ReceiveAsync("event"); // the refusal is also a status event (the send's own events come first)
            while (status.GetProperty("kind").GetString() != "status" || status.GetProperty("status").GetProperty("jobId").GetString() != "8813")
            {
                status = await peer.ReceiveAsync("event");
            }
            Assert.Equal("failed", status.GetProperty("status").GetProperty("state").GetString());
        }
        Assert.Equal(1, rig.Waker.Wakes);
        Assert.Equal(0, await rig.Store.CountPendingSendsAsync(None));
        Assert.Equal(4, await rig.Store.GetPlatformSeqAsync(None));
    }

    [Fact]
    public async Task ASeqGapIsOutOfOrderAndNothingIsExecuted()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform);
        var (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.SendAsync("""{"type":"send","seq":2,"jobId":"9001","to":"+4915112345678","kind":"text","text":"skipped one"}""");
            var error = await peer.ReceiveAsync("error");
            Assert.Equal("out-of-order", error.GetProperty("code").GetString());
            Assert.Equal("send.seq: 2 follows 0 (a gap; resend in order)", error.GetProperty("message").GetString());
            Assert.False((await session).Terminal);
        }
        Assert.Null(await rig.Store.GetOutboundByCallerIdAsync("9001", None));
        Assert.Equal(0, await rig.Store.GetPlatformSeqAsync(None));
    }

    [Fact]
    public async Task ACommandIsExecutedOnceAndAReplayGetsTheStoredResult()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.SendAsync("""{"type":"command","seq":1,"id":"c_1","name":"pacing","args":{"minGap":2,"maxGap":6,"hourlyCap":100,"dailyCap":500,"cooldown":0}}""");
            Assert.True((await peer.ReceiveAsync("result")).GetProperty("ok").GetBoolean());
            Assert.Equal("""{"minGap":2,"maxGap":6,"hourlyCap":100,"dailyCap":500,"cooldown":0}""", await rig.Store.GetSettingAsync("pacing", None));

            await rig.Store.SetSettingAsync("pacing", "changed since", None);
            await peer.SendAsync("""{"type":"command","seq":1,"id":"c_1","name":"pacing","args":{"minGap":9,"maxGap":9}}""");
            Assert.True((await peer.ReceiveAsync("result")).GetProperty("ok").GetBoolean());
            Assert.Equal("changed since", await rig.Store.GetSettingAsync("pacing", None)); // not executed again

            // The same id under the next seq (a platform that renumbered its resend): the stored answer, under
            // the new seq, not run again — and the seq moves on, so the next command is no gap.
            await peer.SendAsync("""{"type":"command","seq":2,"id":"c_1","name":"pacing","args":{"minGap":9,"maxGap":9}}""");
            var renumbered = await peer.ReceiveAsync("result");
            Assert.Equal((2, true), (renumbered.GetProperty("seq").GetInt64(), renumbered.GetProperty("ok").GetBoolean()));
            Assert.Equal("changed since", await rig.Store.GetSettingAsync("pacing", None));

            await peer.SendAsync("""{"type":"command","seq":3,"id":"c_2","name":"warp","args":{}}""");
            var unknown = await peer.ReceiveAsync("result");
            Assert.Equal("unknown-command", unknown.GetProperty("error").GetString());
            await peer.SendAsync("""{"type":"command","seq":4,"id":"c_3","name":"update-available","args":{"version":"1.6.0","url":"https://example.com/u","sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","signature":"cd"}}""");
            Assert.True((await peer.ReceiveAsync("result")).GetProperty("ok").GetBoolean());
            var state = await peer.ReceiveAsync("state");
            Assert.Equal("1.6.0", state.GetProperty("update").GetProperty("version").GetString());
        }
        Assert.Equal(4, await rig.Store.GetPlatformSeqAsync(None));
    }

    [Fact]
    public async Task AJobAndItsSeqAreStoredTogetherAndSurviveAReopen()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using (var store = await GatewayStore.OpenAsync(dir.Path, time, NullLogger.Instance, None))
        {
            await store.CommitPlatformJobAsync(1, "j1", "4915112345678@s.whatsapp.net", "hi", null, 2, time.GetUtcNow().AddDays(1), None);
            await store.CommitPlatformJobAsync(2, "j2", "nobody", "hi", "bad-recipient", 2, time.GetUtcNow().AddDays(1), None);
        }
        await using (var reopened = await GatewayStore.OpenAsync(dir.Path, time, NullLogger.Instance, None))
        {
            Assert.Equal(2, await reopened.GetPlatformSeqAsync(None));
            Assert.NotNull(await reopened.GetOutboundByCallerIdAsync("j1", None));
            Assert.Equal("bad-recipient", (await reopened.GetOutboundByCallerIdAsync("j2", None))!.FailureReason);
            // A transaction that fails writes neither: the same caller id under a failing insert (a cancelled token) leaves seq 2.
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reopened.CommitPlatformJobAsync(3, "j3", "x@g.us", "hi", null, 2, time.GetUtcNow().AddDays(1), cancelled.Token));
            Assert.Equal(2, await reopened.GetPlatformSeqAsync(None));
            Assert.Null(await reopened.GetOutboundByCallerIdAsync("j3", None));
        }
    }
}
