using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Reset;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage.Tests;

/// <summary>
/// What the two resets do to messages (docs/architecture.md): a relink forgets the Signal state with
/// the session but keeps the history and the stream, failing sends not yet made; a factory reset
/// forgets everything.
/// </summary>
public sealed class MessageResetTests : IAsyncLifetime
{
    private static readonly SignalAddress Alice = new("15555550100", 0);
    private const string Chat = "15555550100@s.whatsapp.net";

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private GatewayStore _store = null!;
    private WhatsAppSignalStore _signal = null!;
    private WhatsAppMessageStore _messages = null!;
    private OutboundMessage _delivered = null!;
    private OutboundMessage _pending = null!;

    public async Task InitializeAsync()
    {
        _store = await GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);
        _signal = new WhatsAppSignalStore(_store);
        _messages = new WhatsAppMessageStore(_store);
        await new WhatsAppPreKeyStore(_store).GetOrCreateUnuploadedAsync(2, CancellationToken.None);
        var changes = new SignalChanges();
        changes.Sessions[Alice] = [1];
        changes.Identities[Alice] = [2];
        changes.SenderKeys[("120363001@g.us", Alice)] = [3];
        changes.LidMappings["98765"] = "15555550100";
        await _messages.CommitInboundAsync(changes, new InboundMessage("A1", Chat, Chat, null, _time.GetUtcNow(), "text", "hi", false, null, null, null), CancellationToken.None);
        _delivered = await _messages.EnqueueOutboundAsync("done", Chat, "delivered one", CancellationToken.None);
        await _messages.UpdateOutboundStatusAsync(_delivered.MessageId, MessageStatus.Delivered, _time.GetUtcNow(), null, CancellationToken.None);
        _pending = await _messages.EnqueueOutboundAsync("waiting", Chat, "not sent yet", CancellationToken.None);
        await _messages.AckEventsAsync("tunnel", 2, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Relink_ForgetsTheSignalState_KeepsHistoryAndStream_FailsPendingSends()
    {
        var participant = new StoreResetParticipant(_store);

        Assert.Equal(1, await participant.FlushAsync(ResetKind.Relink, CancellationToken.None));
        await participant.WipeAsync(ResetKind.Relink, CancellationToken.None);

        Assert.Empty(await _signal.LoadSessionsAsync([Alice], CancellationToken.None));
        Assert.Null(await _signal.LoadIdentityAsync(Alice, CancellationToken.None));
        Assert.Null(await _signal.LoadSenderKeyAsync("120363001@g.us", Alice, CancellationToken.None));
        Assert.Null(await _signal.GetPhoneUserAsync("98765", CancellationToken.None));
        Assert.Null(await new WhatsAppPreKeyStore(_store).GetAsync(1, CancellationToken.None));

        Assert.True(await _messages.HasInboundAsync(Chat, Chat, "A1", CancellationToken.None));
        Assert.Equal(MessageStatus.Delivered, (await _messages.GetOutboundAsync(_delivered.MessageId, CancellationToken.None))!.Status);
        var failed = (await _messages.GetOutboundAsync(_pending.MessageId, CancellationToken.None))!;
        Assert.Equal((MessageStatus.Failed, "relinked"), (failed.Status, failed.FailureReason));
        var events = await _messages.ReadEventsAsync(0, 100, CancellationToken.None);
        Assert.Equal(["message", "Pending", "Delivered", "Pending", "Failed"], events.Select(e => e.Status?.Status.ToString() ?? "message"));
        Assert.Equal(new StatusChange(_pending.MessageId, "waiting", Chat, MessageStatus.Failed, _time.GetUtcNow(), "relinked"), events[^1].Status);
        Assert.Equal(2, await _messages.GetAckedCursorAsync("tunnel", CancellationToken.None));
        Assert.Equal(0, await participant.FlushAsync(ResetKind.Relink, CancellationToken.None));
    }

    [Fact]
    public async Task Relink_StoppedPartway_FailsNoSendAndForgetsNothing_ThenDoesBoth()
    {
        // A table with a scope column is wiped with the session; this one refuses its delete, as a
        // crash would stop the wipe after the sends were failed if the two were separate transactions.
        await using (var raw = new SqliteConnection($"Data Source={_store.Path};Pooling=False"))
        {
            await raw.OpenAsync();
            await using var trap = raw.CreateCommand();
            trap.CommandText = $"CREATE TABLE zz_trap (scope TEXT); INSERT INTO zz_trap VALUES ('{SecretScopes.WhatsApp}'); " +
                "CREATE TRIGGER zz_refuse BEFORE DELETE ON zz_trap BEGIN SELECT RAISE(ABORT, 'injected failure'); END;";
            await trap.ExecuteNonQueryAsync();
        }
        var session = new WhatsAppSessionStore(_store);

        await Assert.ThrowsAsync<SqliteException>(() => session.ForgetAsync(CancellationToken.None));

        Assert.Equal(MessageStatus.Pending, (await _messages.GetOutboundAsync(_pending.MessageId, CancellationToken.None))!.Status);
        Assert.NotEmpty(await _signal.LoadSessionsAsync([Alice], CancellationToken.None));
        Assert.Equal(4, (await _messages.ReadEventsAsync(0, 100, CancellationToken.None)).Count);

        await using (var raw = new SqliteConnection($"Data Source={_store.Path};Pooling=False"))
        {
            await raw.OpenAsync();
            await using var untrap = raw.CreateCommand();
            untrap.CommandText = "DROP TRIGGER zz_refuse;";
            await untrap.ExecuteNonQueryAsync();
        }
        await session.ForgetAsync(CancellationToken.None);
        Assert.Equal(MessageStatus.Failed, (await _messages.GetOutboundAsync(_pending.MessageId, CancellationToken.None))!.Status);
        Assert.Empty(await _signal.LoadSessionsAsync([Alice], CancellationToken.None));
    }

    [Fact]
    public async Task FactoryReset_ForgetsEveryMessage_AndTheStreamStartsAgain()
    {
        var participant = new StoreResetParticipant(_store);

        Assert.Equal(1, await participant.FlushAsync(ResetKind.FactoryReset, CancellationToken.None));
        await participant.WipeAsync(ResetKind.FactoryReset, CancellationToken.None);

        Assert.Empty(await _signal.LoadSessionsAsync([Alice], CancellationToken.None));
        Assert.False(await _messages.HasInboundAsync(Chat, Chat, "A1", CancellationToken.None));
        Assert.Null(await _messages.GetOutboundAsync(_delivered.MessageId, CancellationToken.None));
        Assert.Null(await _messages.GetOutboundByCallerIdAsync("waiting", CancellationToken.None));
        Assert.Empty(await _messages.ReadEventsAsync(0, 100, CancellationToken.None));
        Assert.Equal(0, await _messages.GetAckedCursorAsync("tunnel", CancellationToken.None));
        Assert.Equal(new DailyCounters(new DateOnly(2026, 12, 2), 0, 0, 0, 0), await _messages.GetDailyCountersAsync(new DateOnly(2026, 12, 2), CancellationToken.None));
        await _messages.EnqueueOutboundAsync("waiting", Chat, "new", CancellationToken.None);
        Assert.Equal(1, (await _messages.ReadEventsAsync(0, 100, CancellationToken.None))[0].Cursor);
    }
}
