using WaSms.WhatsApp.Store;

namespace WaSms.Testing.Contracts;

/// <summary>
/// What every <see cref="IMessageStore"/> must do, run against each implementation (in memory, SQLite):
/// an inbound message is stored once with its Signal changes; a send job is created once per caller id
/// and only moves forward; every stored message and status change is in the stream once, in order;
/// consumers' cursors never move back; counters are per local day.
/// </summary>
public abstract partial class MessageStoreContract : MessagingStoreContract
{
    private const string Chat = "15555550100@s.whatsapp.net";

    [Fact]
    public async Task CommitInbound_StoresTheMessageWithItsChanges_Once()
    {
        await Store.PreKeys.GetOrCreateUnuploadedAsync(2, None);
        var changes = SessionChange(Alice, 1, 2);
        changes.UsedPreKeys.Add(1);
        changes.LidMappings["98765"] = "15555550100";

        Assert.True(await Messages.CommitInboundAsync(changes, Text("A1", "hi"), None));
        Assert.False(await Messages.CommitInboundAsync(SessionChange(Alice, 3), Text("A1", "hi again"), None));

        // The duplicate's ratchet step is still saved: the Signal state moved when it was decrypted.
        Assert.Equal([3], await SessionOf(Alice));
        Assert.Null(await Store.PreKeys.GetAsync(1, None));
        Assert.Equal("15555550100", await Signal.GetPhoneUserAsync("98765", None));
        var events = await Messages.ReadEventsAsync(0, 10, None);
        var only = Assert.Single(events);
        Assert.Equal(MessageEventKind.Message, only.Kind);
        AssertSameMessage(Text("A1", "hi"), only.Message);
        Assert.True(await Messages.HasInboundAsync(Chat, Chat, "A1", None));
    }

    [Fact]
    public async Task CommitInbound_TheSameIdInAnotherChatOrFromAnotherSender_IsAnotherMessage()
    {
        Assert.True(await Messages.CommitInboundAsync(new SignalChanges(), Text("X", "1"), None));
        Assert.True(await Messages.CommitInboundAsync(new SignalChanges(), Text("X", "2", chat: "120363001@g.us", sender: Chat), None));
        Assert.True(await Messages.CommitInboundAsync(new SignalChanges(), Text("X", "3", chat: "120363001@g.us", sender: "15555550101@s.whatsapp.net"), None));

        Assert.Equal(["1", "2", "3"], (await Messages.ReadEventsAsync(0, 10, None)).Select(e => e.Message?.Text));
        Assert.False(await Messages.HasInboundAsync("120363002@g.us", Chat, "X", None));
    }

    [Fact]
    public async Task CommitInbound_KeepsAnUndecryptableMessageWithItsReason()
    {
        var failed = new InboundMessage("U1", Chat, Chat, "98765@lid", Start, "undecryptable", null, false, null, null, "Bad MAC after 5 retries");

        await Messages.CommitInboundAsync(new SignalChanges(), failed, None);

        AssertSameMessage(failed, (await Messages.ReadEventsAsync(0, 1, None))[0].Message);
    }

    [Fact]
    public async Task CountDecryptFailure_CountsPerDeviceAndId()
    {
        Assert.Equal(1, await Messages.CountDecryptFailureAsync("15555550100:1@s.whatsapp.net", "A1", None));
        Assert.Equal(2, await Messages.CountDecryptFailureAsync("15555550100:1@s.whatsapp.net", "A1", None));
        Assert.Equal(1, await Messages.CountDecryptFailureAsync("15555550100:2@s.whatsapp.net", "A1", None));
        Assert.Equal(1, await Messages.CountDecryptFailureAsync("15555550100:1@s.whatsapp.net", "A2", None));
    }

    [Fact]
    public async Task Enqueue_MakesAPendingJobWithANewId_AndAnEvent()
    {
        var job = await Messages.EnqueueOutboundAsync("caller-1", Chat, "hello", None);

        Assert.Matches("^3EB0[0-9A-F]{18}$", job.MessageId);
        Assert.Equal(("caller-1", Chat, "hello", MessageStatus.Pending, Start, 0), (job.CallerId, job.To, job.Text, job.Status, job.CreatedAt, job.Attempts));
        Assert.Equal(job, await Messages.GetOutboundAsync(job.MessageId, None));
        Assert.Equal(job, await Messages.GetOutboundByCallerIdAsync("caller-1", None));
        var status = Assert.Single(await Messages.ReadEventsAsync(0, 10, None)).Status;
        Assert.Equal(new StatusChange(job.MessageId, "caller-1", Chat, MessageStatus.Pending, Start, null), status);
    }

    [Fact]
    public async Task Enqueue_AKnownCallerId_ReturnsTheJobUnchanged()
    {
        var first = await Messages.EnqueueOutboundAsync("caller-1", Chat, "hello", None);
        await Messages.UpdateOutboundStatusAsync(first.MessageId, MessageStatus.Sent, Start.AddSeconds(1), null, None);

        var again = await Messages.EnqueueOutboundAsync("caller-1", "15555550101@s.whatsapp.net", "other", None);

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal((Chat, "hello", MessageStatus.Sent), (again.To, again.Text, again.Status));
        Assert.Equal(2, (await Messages.ReadEventsAsync(0, 10, None)).Count);
    }

    [Fact]
    public async Task Enqueue_WithoutCallerId_AlwaysMakesANewJob()
    {
        var a = await Messages.EnqueueOutboundAsync(null, Chat, "same", None);
        var b = await Messages.EnqueueOutboundAsync(null, Chat, "same", None);

        Assert.NotEqual(a.MessageId, b.MessageId);
        Assert.Null(await Messages.GetOutboundAsync("3EB0000000000000000000", None));
        Assert.Null(await Messages.GetOutboundByCallerIdAsync("nobody", None));
    }

    [Fact]
    public async Task GetPending_OldestFirst_UpToMax_WithoutFinishedOnes()
    {
        var jobs = new List<OutboundMessage>();
        for (var i = 0; i < 4; i++)
        {
            jobs.Add(await Messages.EnqueueOutboundAsync(null, Chat, $"m{i}", None));
            Time.Advance(TimeSpan.FromSeconds(1));
        }
        await Messages.UpdateOutboundStatusAsync(jobs[1].MessageId, MessageStatus.Sent, Time.GetUtcNow(), null, None);
        await Messages.UpdateOutboundStatusAsync(jobs[2].MessageId, MessageStatus.Failed, Time.GetUtcNow(), "no session", None);

        Assert.Equal(["m0", "m3"], (await Messages.GetPendingOutboundAsync(10, None)).Select(j => j.Text));
        Assert.Equal(["m0"], (await Messages.GetPendingOutboundAsync(1, None)).Select(j => j.Text));
    }

    [Fact]
    public async Task CommitSendAttempt_SavesTheChangesAndCountsTheAttempt()
    {
        var job = await Messages.EnqueueOutboundAsync(null, Chat, "hello", None);

        await Messages.CommitSendAttemptAsync(SessionChange(Alice, 5), job.MessageId, None);
        await Messages.CommitSendAttemptAsync(SessionChange(Alice, 6), job.MessageId, None);

        Assert.Equal([6], await SessionOf(Alice));
        Assert.Equal(2, (await Messages.GetOutboundAsync(job.MessageId, None))!.Attempts);
    }

    [Fact]
    public async Task CommitSendAttempt_ForAJobFailedMeanwhile_IsRefusedAndSavesNothing()
    {
        // The expiry failed it after the pacing gate let it go: it must not be sent (nor its session step kept).
        var job = await Messages.EnqueueOutboundAsync(null, Chat, "hello", None);
        await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Failed, Time.GetUtcNow(), "expired", None);

        await Assert.ThrowsAsync<SendJobClosedException>(() => Messages.CommitSendAttemptAsync(SessionChange(Alice, 5), job.MessageId, None));

        Assert.Null(await SessionOf(Alice));
        Assert.Equal(0, (await Messages.GetOutboundAsync(job.MessageId, None))!.Attempts);
    }

    [Fact]
    public async Task CommitSendAttempt_ForAnUnknownJob_FailsAndSavesNothing()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => Messages.CommitSendAttemptAsync(SessionChange(Alice, 5), "3EB0000000000000000000", None));

        Assert.Null(await SessionOf(Alice));
    }

    [Fact]
    public async Task UpdateStatus_OnlyMovesForward_WithTheTimeOfEachState()
    {
        var job = await Messages.EnqueueOutboundAsync("c", Chat, "hello", None);
        var sent = Start.AddSeconds(1);
        var read = Start.AddSeconds(3);

        Assert.True(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Sent, sent, null, None));
        Assert.False(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Pending, sent, null, None));
        Assert.False(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Failed, sent, "late error", None));
        Assert.True(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Read, read, null, None));
        // A delivery receipt after the read receipt changes nothing.
        Assert.False(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Delivered, Start.AddSeconds(4), null, None));
        Assert.False(await Messages.UpdateOutboundStatusAsync("3EB0000000000000000000", MessageStatus.Sent, sent, null, None));

        var stored = (await Messages.GetOutboundAsync(job.MessageId, None))!;
        Assert.Equal((MessageStatus.Read, sent, read, read, (DateTimeOffset?)null), (stored.Status, stored.SentAt, stored.DeliveredAt, stored.ReadAt, stored.FailedAt));
        Assert.Equal([MessageStatus.Pending, MessageStatus.Sent, MessageStatus.Read],
            (await Messages.ReadEventsAsync(0, 10, None)).Select(e => e.Status!.Status));
    }

    [Fact]
    public async Task UpdateStatus_ADeliveryBeforeTheAck_MarksItSentToo()
    {
        var job = await Messages.EnqueueOutboundAsync(null, Chat, "hello", None);
        var delivered = Start.AddSeconds(2);

        Assert.True(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Delivered, delivered, null, None));
        Assert.False(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Sent, Start.AddSeconds(3), null, None));

        var stored = (await Messages.GetOutboundAsync(job.MessageId, None))!;
        Assert.Equal((MessageStatus.Delivered, delivered, delivered), (stored.Status, stored.SentAt, stored.DeliveredAt));
    }

    [Fact]
    public async Task UpdateStatus_Failed_KeepsTheReason_AndIsFinal()
    {
        var job = await Messages.EnqueueOutboundAsync("c", Chat, "hello", None);
        var at = Start.AddSeconds(5);

        Assert.True(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Failed, at, "server error 479", None));
        Assert.False(await Messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Sent, at, null, None));

        var stored = (await Messages.GetOutboundAsync(job.MessageId, None))!;
        Assert.Equal((MessageStatus.Failed, at, "server error 479", (DateTimeOffset?)null), (stored.Status, stored.FailedAt, stored.FailureReason, stored.SentAt));
        Assert.Equal(new StatusChange(job.MessageId, "c", Chat, MessageStatus.Failed, at, "server error 479"), (await Messages.ReadEventsAsync(1, 10, None))[0].Status);
    }

    [Fact]
    public async Task ReadEvents_PagesInStoredOrder_WithIncreasingCursors()
    {
        for (var i = 0; i < 5; i++)
        {
            await Messages.CommitInboundAsync(new SignalChanges(), Text($"M{i}", $"t{i}"), None);
            await Messages.EnqueueOutboundAsync(null, Chat, $"o{i}", None);
        }

        var all = await Messages.ReadEventsAsync(0, 100, None);
        var firstPage = await Messages.ReadEventsAsync(0, 4, None);
        var secondPage = await Messages.ReadEventsAsync(firstPage[^1].Cursor, 4, None);

        Assert.Equal(10, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Cursor < p.Second.Cursor));
        Assert.Equal(all.Take(8).Select(e => e.Cursor), firstPage.Concat(secondPage).Select(e => e.Cursor));
        Assert.Equal([MessageEventKind.Message, MessageEventKind.Status], all.Take(2).Select(e => e.Kind));
        Assert.Empty(await Messages.ReadEventsAsync(all[^1].Cursor, 10, None));
        Assert.Empty(await Messages.ReadEventsAsync(0, 0, None));
    }

    [Fact]
    public async Task Ack_NeverMovesBack_AndEachConsumerHasItsOwn()
    {
        Assert.Equal(0, await Messages.GetAckedCursorAsync("tunnel", None));

        await Messages.AckEventsAsync("tunnel", 5, None);
        await Messages.AckEventsAsync("tunnel", 3, None);
        await Messages.AckEventsAsync("cli", 1, None);

        Assert.Equal(5, await Messages.GetAckedCursorAsync("tunnel", None));
        Assert.Equal(1, await Messages.GetAckedCursorAsync("cli", None));
    }

    [Fact]
    public async Task DailyCounters_CountPerLocalDay()
    {
        // 23:30 local on 2 December.
        Time.SetUtcNow(new DateTimeOffset(2026, 12, 2, 21, 30, 0, TimeSpan.Zero));
        await Messages.CommitInboundAsync(new SignalChanges(), Text("Y1", "yesterday"), None);
        var old = await Messages.EnqueueOutboundAsync(null, Chat, "old", None);
        await Messages.UpdateOutboundStatusAsync(old.MessageId, MessageStatus.Sent, Time.GetUtcNow(), null, None);

        // 00:30 local on 3 December (22:30 UTC on the 2nd).
        Time.SetUtcNow(new DateTimeOffset(2026, 12, 2, 22, 30, 0, TimeSpan.Zero));
        await Messages.CommitInboundAsync(new SignalChanges(), Text("T1", "one"), None);
        await Messages.CommitInboundAsync(new SignalChanges(), Text("T2", "two"), None);
        await Messages.CommitInboundAsync(new SignalChanges(), Text("T2", "two"), None);
        await Messages.CommitInboundAsync(new SignalChanges(), Text("T3", "mine", fromMe: true), None);
        var sent = await Messages.EnqueueOutboundAsync(null, Chat, "a", None);
        var failed = await Messages.EnqueueOutboundAsync(null, Chat, "b", None);
        await Messages.EnqueueOutboundAsync(null, Chat, "c", None);
        await Messages.UpdateOutboundStatusAsync(sent.MessageId, MessageStatus.Sent, Time.GetUtcNow(), null, None);
        await Messages.UpdateOutboundStatusAsync(sent.MessageId, MessageStatus.Read, Time.GetUtcNow(), null, None);
        await Messages.UpdateOutboundStatusAsync(failed.MessageId, MessageStatus.Failed, Time.GetUtcNow(), "x", None);

        Assert.Equal(new DailyCounters(new DateOnly(2026, 12, 3), 2, 1, 1, 1), await Messages.GetDailyCountersAsync(new DateOnly(2026, 12, 3), None));
        Assert.Equal(new DailyCounters(new DateOnly(2026, 12, 2), 1, 1, 0, 1), await Messages.GetDailyCountersAsync(new DateOnly(2026, 12, 2), None));
    }

    [Fact]
    public async Task ConcurrentCallers_EachMessageAndJobOnce_CursorsWithoutGapOrRepeat()
    {
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await Messages.CommitInboundAsync(SessionChange(new WhatsApp.Signal.SignalAddress("peer", (uint)w), (byte)i), Text($"W{w}-{i}", "x"), None);
                // Every writer asks for the same caller ids: each job is made once.
                await Messages.EnqueueOutboundAsync($"caller-{i}", Chat, "y", None);
            }
        }));

        await Task.WhenAll(writers);

        var events = await Messages.ReadEventsAsync(0, 1000, None);
        Assert.Equal(8 * 25 + 25, events.Count);
        Assert.Equal(events.Count, events.Select(e => e.Cursor).Distinct().Count());
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Cursor < p.Second.Cursor));
        Assert.Equal(200, events.Select(e => e.Message?.Id).OfType<string>().Distinct().Count());
        Assert.Equal(25, (await Messages.GetPendingOutboundAsync(100, None)).Count);
        Assert.Equal([24], await SessionOf(new WhatsApp.Signal.SignalAddress("peer", 3)));
    }

    private static void AssertSameMessage(InboundMessage expected, InboundMessage? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Content = null }, actual with { Content = null });
        Assert.Equal(expected.Content, actual.Content);
    }
}
