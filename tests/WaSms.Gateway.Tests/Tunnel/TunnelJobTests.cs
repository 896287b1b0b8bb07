using WaSms.Core.State;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.Reset;
using WaSms.Gateway.Tunnel.Identity;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Gateway.Tunnel.Sync;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>
/// Job and command semantics of docs/tunnel.md §6–§7 over a real store and a real TLS WebSocket: expiry, priority,
/// the platform's own id space, and a reset that survives a crash between its answer and its run.
/// </summary>
public sealed class TunnelJobTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string Send(long seq, string jobId, string to, string text, int? priority = null) =>
        $$"""{"type":"send","seq":{{seq}},"jobId":"{{jobId}}","to":"{{to}}","kind":"text","text":"{{text}}"{{(priority is { } p ? $",\"priority\":{p}" : "")}}}""";

    private static async Task<JsonElement> StatusEventAsync(PeerConnection peer, Func<JsonElement, bool> match)
    {
        while (true)
        {
            var e = await peer.ReceiveAsync("event");
            if (e.GetProperty("kind").GetString() == "status" && match(e.GetProperty("status")))
            {
                return e.GetProperty("status");
            }
        }
    }

    [Fact]
    public async Task AJobNotSentWithinItsTtlFailsExpired_AndThePlatformIsTold()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform, o => { o.JobTtl = TimeSpan.FromHours(1); });
        using var expiry = new JobExpiry(rig.Store, rig.Messages, rig.Time, rig.Options.JobTtl, NullLogger<JobExpiry>.Instance);
        OutboundMessage job;
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.SendAsync(Send(1, "8812", "+4915112345678", "Yes, 9 to 6."));
            Assert.Equal("accepted", (await peer.ReceiveAsync("job")).GetProperty("state").GetString());
            job = (await rig.Store.GetPendingOutboundAsync(10, None)).Single();
            Assert.Equal((rig.Time.GetUtcNow() + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds(), job.ExpiresAt?.ToUnixTimeMilliseconds());
        }

        // Nothing sends it (no WhatsApp connection here, as when caps or a ban hold every job). The fake hour
        // passes with the tunnel down (on the fake clock the link would time out as half-open anyway).
        await expiry.StartAsync(None);
        try
        {
            rig.Time.Advance(TimeSpan.FromMinutes(59));
            Assert.Equal(MessageStatus.Pending, (await rig.Store.GetOutboundAsync(job.MessageId, None))!.Status);
            rig.Time.Advance(TimeSpan.FromMinutes(1));
            await Eventually.UntilAsync(async () => (await rig.Store.GetOutboundAsync(job.MessageId, None))!.Status == MessageStatus.Failed,
                PeerConnection.Patience, "the job expired at its deadline");
            Assert.Equal(GatewayStore.ExpiredReason, (await rig.Store.GetOutboundAsync(job.MessageId, None))!.FailureReason);
        }
        finally
        {
            await expiry.StopAsync(None);
        }

        (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            var status = await StatusEventAsync(peer, s => s.GetProperty("jobId").GetString() == "8812");
            Assert.Equal(("failed", "expired"), (status.GetProperty("state").GetString(), status.GetProperty("reason").GetString()));

            // A replay is answered with the final state.
            await peer.SendAsync(Send(1, "8812", "+4915112345678", "Yes, 9 to 6."));
            var replay = await peer.ReceiveAsync("job");
            Assert.Equal(("failed", "expired"), (replay.GetProperty("state").GetString(), replay.GetProperty("reason").GetString()));
        }
        // The send gate refuses the job too, should the outbox reach it before the expiry task.
        var decision = await rig.Pacing.CheckAsync(job, None);
        Assert.Equal((WaSms.WhatsApp.Messaging.Send.SendVerdict.Fail, "expired"), (decision.Verdict, decision.Reason));
    }

    [Fact]
    public async Task APriorityJobGoesAheadOfOtherChats_WhileEachChatKeepsItsOrder()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform);
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            string[] frames =
            [
                Send(1, "a1", "+4915100000001", "A1"),
                Send(2, "b1", "+4915100000002", "B1", priority: 2),
                Send(3, "a2", "+4915100000001", "A2"),
                Send(4, "c1", "+4915100000003", "C1", priority: 1),
                Send(5, "b2", "+4915100000002", "B2", priority: 1), // pulls B1, queued before it in its chat, ahead too
            ];
            foreach (var frame in frames)
            {
                await peer.SendAsync(frame);
                Assert.Equal("accepted", (await peer.ReceiveAsync("job")).GetProperty("state").GetString());
            }
        }
        var order = (await rig.Store.GetPendingOutboundAsync(10, None)).Select(j => j.Text);
        Assert.Equal(["B1", "C1", "B2", "A1", "A2"], order);
    }

    [Fact]
    public async Task PlatformJobIdsAreTheirOwnSpace_ApartFromLocalIdsAndFromEarlierEnrollments()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform);
        var local = await rig.Parts.Messaging.SendTextAsync("8812", "+4915112345678", "a local send", None);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => rig.Parts.Messaging.SendTextAsync("platform:gw_test1:8812", "+4915112345678", "x", None));
        Assert.StartsWith("ids starting with 'platform:' are the platform's", refused.Message);

        string platformMessageId;
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.SendAsync(Send(1, "8812", "+4915112345678", "from the platform"));
            var job = await peer.ReceiveAsync("job");
            Assert.Equal("accepted", job.GetProperty("state").GetString()); // not job-id-reused: the local 8812 is another id
            platformMessageId = job.GetProperty("messageId").GetString()!;
            Assert.NotEqual(local.MessageId, platformMessageId);

            await rig.Messages.UpdateOutboundStatusAsync(local.MessageId, MessageStatus.Sent, rig.Time.GetUtcNow(), null, None);
            await rig.Messages.UpdateOutboundStatusAsync(platformMessageId, MessageStatus.Sent, rig.Time.GetUtcNow(), null, None);
            var localStatus = await StatusEventAsync(peer, s => s.GetProperty("messageId").GetString() == local.MessageId);
            Assert.Equal(JsonValueKind.Null, localStatus.GetProperty("jobId").ValueKind); // not the platform's job 8812
            var platformStatus = await StatusEventAsync(peer, s => s.GetProperty("messageId").GetString() == platformMessageId);
            Assert.Equal("8812", platformStatus.GetProperty("jobId").GetString());
        }
        Assert.Equal("platform:gw_test1:8812", (await rig.Store.GetOutboundAsync(platformMessageId, None))!.CallerId);

        // A new enrollment starts the platform's seq and job ids again: its job 8812 is a new job, not the old one's state.
        using var key = await rig.Identity.GetOrCreateKeyAsync(None);
        await rig.Identity.SaveEnrollmentAsync(key, new Enrollment("gw_test2", null), null, None);
        var again = await rig.Parts.Jobs.HandleAsync(
            new SendFrame { Seq = 1, JobId = "8812", To = "+4915112345678", Kind = "text", Text = "from the platform" }, 0, None);
        Assert.Equal("accepted", again.State);
        Assert.NotEqual(platformMessageId, again.MessageId);
    }

    [Fact]
    public async Task AResetAnsweredOkIsRecordedFirst_SoACrashBeforeItRunsStillFinishesIt_AndAReplayDoesNotRunItAgain()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform);
        const string Reset = """{"type":"command","seq":1,"id":"c_77","name":"reset","args":{"mode":"relink"}}""";
        var (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.SendAsync(Reset);
            var result = await peer.ReceiveAsync("result");
            Assert.True(result.GetProperty("ok").GetBoolean());
        }
        var end = await session.WaitAsync(PeerConnection.Patience);
        Assert.NotNull(end.After); // the reset would run now; the "crash" comes first: it never runs in this process

        var recorded = await rig.Store.GetPendingResetAsync(None);
        Assert.Equal((ResetKind.Relink, true, "the platform's reset command"), (recorded?.Kind, recorded?.DiscardConfirmed, recorded?.Origin));

        // The next start finishes what the journal holds (the same path as the button's reset), without asking.
        var finished = await rig.Reset.FinishInterruptedAsync(None);
        Assert.True(finished?.Completed, finished?.Message);
        Assert.Null(await rig.Store.GetPendingResetAsync(None));
        Assert.False(await new WhatsAppSessionStore(rig.Store).HasSessionAsync(None));

        // The platform resends the command (it never saw the answer): answered from the record, not run again.
        (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.SendAsync(Reset);
            var replay = await peer.ReceiveAsync("result");
            Assert.Equal((1, true), (replay.GetProperty("seq").GetInt64(), replay.GetProperty("ok").GetBoolean()));
            await peer.SendAsync("""{"type":"ping","id":"p_1"}""");
            Assert.Equal("p_1", (await peer.ReceiveAsync("pong")).GetProperty("id").GetString()); // the session goes on: no second reset
        }
        Assert.Null(await rig.Store.GetPendingResetAsync(None));
        Assert.Equal(1, await rig.Store.GetPlatformSeqAsync(None));
    }

    [Fact]
    public async Task AResetRecordedButNotRunBecauseTheSessionEnded_IsRunByTheTunnelAfterTheSession_NotAtTheNextStart()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartLinkedAsync(platform);
        rig.Machine.TryFire(new StateChange(GatewayTrigger.Connect, "connecting")); // past booting, as in the host once BootService ran
        Assert.Null(await rig.Parts.Commands.PendingResetAsync(None)); // nothing recorded: nothing to run
        var (session, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            await peer.SendAsync("""{"type":"command","seq":1,"id":"c_78","name":"reset","args":{"mode":"relink"}}""");
            Assert.True((await peer.ReceiveAsync("result")).GetProperty("ok").GetBoolean());
        }
        await session.WaitAsync(PeerConnection.Patience); // its After is dropped here, as when the answer's send fails

        // What TunnelService asks after every session: the recorded reset, run through the one reset path.
        var pending = await rig.Parts.Commands.PendingResetAsync(None);
        Assert.NotNull(pending);
        await pending(None);
        Assert.Null(await rig.Store.GetPendingResetAsync(None));
        Assert.False(await new WhatsAppSessionStore(rig.Store).HasSessionAsync(None));
        Assert.Null(await rig.Parts.Commands.PendingResetAsync(None));
    }

    [Fact]
    public async Task APacingCommandIsValidatedOnce_MergedOverTheConfiguredSettings()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            // minGap 10 alone is valid field by field, but not over the configured maxGap of 5 s.
            await peer.SendAsync("""{"type":"command","seq":1,"id":"c_1","name":"pacing","args":{"minGap":10}}""");
            var refused = await peer.ReceiveAsync("result");
            Assert.Equal(("bad-args", "args: minGap must not be above maxGap"), (refused.GetProperty("error").GetString(), refused.GetProperty("message").GetString()));
            Assert.Null(await rig.Store.GetSettingAsync(CommandHandler.PacingSetting, None));

            await peer.SendAsync("""{"type":"command","seq":2,"id":"c_2","name":"pacing","args":{"minGap":10,"maxGap":20}}""");
            Assert.True((await peer.ReceiveAsync("result")).GetProperty("ok").GetBoolean());
            Assert.Equal(TimeSpan.FromSeconds(10), (await rig.Pacing.GetSettingsAsync(None)).MinGap);
        }
    }
}
