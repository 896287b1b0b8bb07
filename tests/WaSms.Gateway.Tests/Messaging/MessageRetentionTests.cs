using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Messaging;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Messaging;

/// <summary>
/// The daily retention clean-up on a real gateway database and a fake clock: what every consumer
/// acknowledged more than RetentionDays ago goes; what any consumer has not acknowledged, and sends
/// still pending, stay.
/// </summary>
public sealed class MessageRetentionTests : IAsyncLifetime
{
    private const string Alice = "15555550100@s.whatsapp.net";
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private GatewayStore _store = null!;
    private WhatsAppMessageStore _messages = null!;
    private MessageRetentionService _retention = null!;

    public async Task InitializeAsync()
    {
        _store = await GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);
        _messages = new WhatsAppMessageStore(_store);
        _retention = new MessageRetentionService(_store, new MessagingOptions { RetentionDays = 30 }, _time, NullLogger<MessageRetentionService>.Instance);
    }

    public async Task DisposeAsync()
    {
        _retention.Dispose();
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private Task<bool> ReceiveAsync(string id) =>
        _messages.CommitInboundAsync(new SignalChanges(), new InboundMessage(id, Alice, Alice, null, _time.GetUtcNow(), "text", "text of " + id, false, "Alice", null, null), CancellationToken.None);

    [Fact]
    public async Task OldAcknowledgedEventsGo_UnacknowledgedOnesAndPendingSendsStay()
    {
        await ReceiveAsync("A");                                                                                   // event 1
        var sent = await _messages.EnqueueOutboundAsync("s", Alice, "sent one", CancellationToken.None);            // event 2
        await _messages.UpdateOutboundStatusAsync(sent.MessageId, MessageStatus.Sent, _time.GetUtcNow(), null, CancellationToken.None); // 3
        var pending = await _messages.EnqueueOutboundAsync("p", Alice, "waiting", CancellationToken.None);         // event 4
        await ReceiveAsync("B");                                                                                   // event 5
        await _messages.AckEventsAsync("tunnel", 3, CancellationToken.None);
        await _messages.AckEventsAsync("cli", 5, CancellationToken.None);

        _time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(new RetentionResult(0, 0, 0), await _retention.RunOnceAsync(CancellationToken.None)); // not old enough

        _time.Advance(TimeSpan.FromDays(2));
        await ReceiveAsync("C");                                                                                   // event 6, new
        Assert.Equal(new RetentionResult(3, 1, 1), await _retention.RunOnceAsync(CancellationToken.None));

        Assert.Equal([4L, 5L, 6L], (await _messages.ReadEventsAsync(0, 10, CancellationToken.None)).Select(e => e.Cursor));
        Assert.False(await _messages.HasInboundAsync(Alice, Alice, "A", CancellationToken.None));
        Assert.True(await _messages.HasInboundAsync(Alice, Alice, "B", CancellationToken.None)); // the tunnel has not acknowledged it
        Assert.Null(await _messages.GetOutboundAsync(sent.MessageId, CancellationToken.None));
        Assert.NotNull(await _messages.GetOutboundAsync(pending.MessageId, CancellationToken.None));

        // Everything acknowledged and old: the pending send's event goes, the send itself stays.
        await _messages.AckEventsAsync("tunnel", 6, CancellationToken.None);
        await _messages.AckEventsAsync("cli", 6, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(31));
        Assert.Equal(new RetentionResult(3, 2, 0), await _retention.RunOnceAsync(CancellationToken.None));
        Assert.Equal(MessageStatus.Pending, (await _messages.GetOutboundAsync(pending.MessageId, CancellationToken.None))!.Status);
        Assert.Empty(await _messages.ReadEventsAsync(0, 10, CancellationToken.None));
        await ReceiveAsync("D");
        Assert.Equal(7, Assert.Single(await _messages.ReadEventsAsync(0, 10, CancellationToken.None)).Cursor); // cursors never reused
    }

    [Fact]
    public async Task AfterEnrollment_EventsThePlatformHasNotAcknowledgedStay_ThoughTheCliAckedThem()
    {
        await ReceiveAsync("A");
        await _messages.AckEventsAsync("cli", 1, CancellationToken.None);
        await _store.SaveEnrollmentAsync(new Dictionary<string, byte[]> { ["gateway-id"] = "gw_1"u8.ToArray() }, CancellationToken.None);

        _time.Advance(TimeSpan.FromDays(40));
        Assert.Equal(new RetentionResult(0, 0, 0), await _retention.RunOnceAsync(CancellationToken.None)); // the platform starts from 0
        await _messages.AckEventsAsync(GatewayStore.PlatformConsumer, 1, CancellationToken.None);
        Assert.Equal(new RetentionResult(1, 1, 0), await _retention.RunOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WithoutAnyConsumer_NothingIsDeleted_AndTheServiceRunsOnTheGatewaysClock()
    {
        await ReceiveAsync("A");
        _time.Advance(TimeSpan.FromDays(40));
        Assert.Equal(new RetentionResult(0, 0, 0), await _retention.RunOnceAsync(CancellationToken.None));

        await _messages.AckEventsAsync("tunnel", 1, CancellationToken.None);
        await _retention.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(async () => !await _messages.HasInboundAsync(Alice, Alice, "A", CancellationToken.None), Eventually.DefaultTimeout,
            "the first daily run", between: () => _time.Advance(MessageRetentionService.FirstRunAfter));
        await _retention.StopAsync(CancellationToken.None);
    }
}
