using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Messaging.Receive;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.Testing;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// A message whose sender never answers the retry receipt is still handed to the API: stored as
/// undecryptable once its first failure is older than the wait, once, on the client's clock.
/// </summary>
public sealed class UndecryptableSweeperTests
{
    private static readonly InboundMessage Failed = new("3EB0LOST", "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", null,
        new DateTimeOffset(2026, 12, 2, 7, 59, 0, TimeSpan.Zero), "undecryptable", null, false, "Alice", null, "msg: bad MAC");

    [Fact]
    public async Task WithoutResend_TheMessageIsStoredUndecryptable_OnlyOnceItsFirstFailureIsOlderThanTheWait()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var store = new InMemoryMessageStore(time);
        var raised = new ConcurrentQueue<WaEvent>();
        var sweeper = new UndecryptableSweeper(store, new SemaphoreSlim(1, 1), raised.Enqueue, UndecryptableSweeper.DefaultWait, time, NullLogger.Instance);
        await store.RememberUndecryptedAsync(Failed, CancellationToken.None);

        time.Advance(UndecryptableSweeper.DefaultWait - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));

        using var connection = new CancellationTokenSource();
        var run = sweeper.RunAsync(connection.Token);
        await Eventually.UntilAsync(() => !raised.IsEmpty, Eventually.DefaultTimeout, "the sweep to store the message",
            between: () => time.Advance(sweeper.Interval));

        var stored = Assert.IsType<MessageReceived>(Assert.Single(raised)).Message;
        Assert.Equal(("3EB0LOST", "undecryptable", "no resend from the sender within 10 min (msg: bad MAC)"), (stored.Id, stored.Type, stored.Error));
        Assert.Equal(TimeSpan.FromMinutes(1), sweeper.Interval);
        time.Advance(sweeper.Interval * 3);
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        Assert.Single(raised);
        Assert.Single(await store.ReadEventsAsync(0, 10, CancellationToken.None));
        await connection.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task AFailedDecrypt_IsRememberedForTheSweep_AndAResendThatDecryptsWins()
    {
        await using var session = await ReceiveSession.StartAsync();
        var alice = new Jid("15555550100", JidServer.WhatsApp, 0);
        var junk = Enumerable.Repeat((byte)0x33, 40).ToArray();
        await session.SendAsync(ReceiveSession.Message("3EB0SWEEP", alice, [("notify", "Alice")], ReceiveSession.Enc("msg", junk)));
        await session.ExpectAsync(n => n.Tag == "receipt" && n.Attr("type") == "retry");
        await session.ExpectAsync(n => n.Tag == "ack");

        var stored = Assert.Single(await session.Store.StoreUndecryptedAsync(DateTimeOffset.MaxValue, "swept", CancellationToken.None));

        Assert.Equal(("3EB0SWEEP", "15555550100@s.whatsapp.net", "Alice", "undecryptable"), (stored.Id, stored.Sender, stored.PushName, stored.Type));
        Assert.StartsWith("swept (msg: ", stored.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASweep_WaitsForTheSignalStateLock_SoItNeverRunsBetweenADecryptAndItsCommit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var store = new InMemoryMessageStore(time);
        var signalStateLock = new SemaphoreSlim(1, 1);
        var raised = new ConcurrentQueue<WaEvent>();
        var sweeper = new UndecryptableSweeper(store, signalStateLock, raised.Enqueue, UndecryptableSweeper.DefaultWait, time, NullLogger.Instance);
        await store.RememberUndecryptedAsync(Failed, CancellationToken.None);
        time.Advance(UndecryptableSweeper.DefaultWait + TimeSpan.FromSeconds(1));

        await signalStateLock.WaitAsync(); // the receive path is decrypting
        var sweep = sweeper.SweepAsync(CancellationToken.None);
        Assert.False(sweep.IsCompleted, "the sweep must wait for the lock");
        Assert.Empty(await store.ReadEventsAsync(0, 10, CancellationToken.None));
        // The resend decrypted and is committed under the lock: the sweep then finds it stored.
        Assert.True(await store.CommitInboundAsync(new SignalChanges(), Failed with { Type = "text", Text = "late", Error = null }, CancellationToken.None));
        signalStateLock.Release();

        Assert.Equal(0, await sweep);
        Assert.Empty(raised);
        Assert.Equal(1, signalStateLock.CurrentCount);
    }

    [Fact]
    public async Task ALateResend_AfterTheSweepStoredThePlaceholder_ReplacesItOnce_WithANewStreamEvent()
    {
        await using var session = await ReceiveSession.StartAsync();
        var aliceDevice = new Jid("15555550100", JidServer.WhatsApp, 0);
        var junk = Enumerable.Repeat((byte)0x33, 40).ToArray();
        await session.SendAsync(ReceiveSession.Message("3EB0LATE", aliceDevice, [("notify", "Alice")], ReceiveSession.Enc("msg", junk)));
        await session.ExpectAsync(n => n.Tag == "receipt" && n.Attr("type") == "retry");
        await session.ExpectAsync(n => n.Tag == "ack");
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var sweeper = new UndecryptableSweeper(session.Messages, session.Client.SignalStateLock, session.Client.Raise, UndecryptableSweeper.DefaultWait, later, NullLogger.Instance);
        Assert.Equal(1, await sweeper.SweepAsync(session.Token));

        // The sender answers the retry receipt at last, with a new session.
        var alice = new RemoteDevice(aliceDevice);
        await alice.StartSessionAsync(session);
        var resend = ReceiveSession.Message("3EB0LATE", aliceDevice, [("notify", "Alice")], alice.Encrypt(new Message { Conversation = "made it" }));
        await session.SendAsync(resend);
        await session.ExpectExactlyAsync("<receipt id=\"3EB0LATE\" to=\"15555550100:0@s.whatsapp.net\"/>");
        await session.SendAsync(resend); // redelivered: a duplicate now, receipted only
        await session.ExpectExactlyAsync("<receipt id=\"3EB0LATE\" to=\"15555550100:0@s.whatsapp.net\"/>");

        Assert.Equal([("undecryptable", null), ("text", "made it")], session.Events.All.OfType<MessageReceived>().Select(e => (e.Message.Type, e.Message.Text)));
        var events = await session.Store.ReadEventsAsync(0, 10, session.Token);
        Assert.Equal(2, events.Count);
        Assert.Equal(("3EB0LATE", "text", "made it", null), (events[1].Message!.Id, events[1].Message!.Type, events[1].Message!.Text, events[1].Message!.Error));
        Assert.Equal(0, await sweeper.SweepAsync(session.Token));
    }
}
