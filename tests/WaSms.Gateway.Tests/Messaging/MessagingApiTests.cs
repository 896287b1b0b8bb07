using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Health;
using WaSms.Gateway.Control;
using WaSms.Gateway.Messaging;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Messaging;

/// <summary>
/// The in-process API and the control socket's messaging commands over a real gateway database, on a
/// fake clock: what a send accepts, who gets woken, how a wait for <c>sent</c> ends, what the stream's
/// readers see.
/// </summary>
public sealed class MessagingApiTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private readonly HealthCounters _counters = new();
    private readonly CountingWaker _waker = new();
    private GatewayStore _store = null!;
    private ObservedMessageStore _messages = null!;
    private MessagingApi _api = null!;
    private MessagingCommands _commands = null!;

    public async Task InitializeAsync()
    {
        _store = await GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);
        _messages = new ObservedMessageStore(new WhatsAppMessageStore(_store), _counters);
        _api = new MessagingApi(_messages, new WhatsAppSessionStore(_store), _waker, _time);
        _commands = new MessagingCommands(_api, new NoGroups(), new NoDevPhone(), _time);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private Task LinkAsync() =>
        _store.ReplaceSecretsAsync(SecretScopes.WhatsApp, new Dictionary<string, byte[]> { ["account"] = [1] }, CancellationToken.None);

    [Theory]
    [InlineData("15555550100")]
    [InlineData("+0155555501")]
    [InlineData("+1555")]
    [InlineData("+1555555010012345")]
    [InlineData("+1 555 555 0100")]
    [InlineData("15555550100@s.whatsapp.net")]
    [InlineData("group@g.us")]
    [InlineData("")]
    public async Task Send_ABadRecipient_IsRefusedWithTheRule(string to)
    {
        await LinkAsync();

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _api.SendTextAsync(null, to, "hi", CancellationToken.None));

        Assert.Contains("phone number with country code", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await _api.ReadEventsAsync(0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Send_ABadTextOrId_IsRefused_AndNotLinkedIsSaid()
    {
        await Assert.ThrowsAsync<NotLinkedException>(() => _api.SendTextAsync(null, "+15555550100", "hi", CancellationToken.None));
        await LinkAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => _api.SendTextAsync(null, "+15555550100", " ", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _api.SendTextAsync(null, "+15555550100", new string('x', MessagingApi.MaxTextLength + 1), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _api.SendTextAsync("a\nb", "+15555550100", "hi", CancellationToken.None));
        Assert.Equal(0, _waker.Wakes);
    }

    [Fact]
    public async Task Send_QueuesForTheChatJid_WakesTheOutbox_AndACallerIdIsIdempotent()
    {
        await LinkAsync();

        var first = await _api.SendTextAsync("order-1", "+15555550100", "hello", CancellationToken.None);
        var again = await _api.SendTextAsync("order-1", "+15555550100", "hello", CancellationToken.None);
        var group = await _api.SendTextAsync(null, "120363012345678901@g.us", "team", CancellationToken.None);

        Assert.Equal(("15555550100@s.whatsapp.net", MessageStatus.Pending), (first.To, first.Status));
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal("120363012345678901@g.us", group.To);
        Assert.Equal(3, _waker.Wakes);
        Assert.Equal(new DailyCounters(new DateOnly(2026, 12, 2), 0, 0, 0, 2), await _api.GetTodayAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Send_ACallerIdReusedForAnotherRecipientOrText_IsRefused_TheFirstJobUnchanged()
    {
        await LinkAsync();
        var first = await _api.SendTextAsync("order-1", "+15555550100", "hello", CancellationToken.None);

        var otherText = await Assert.ThrowsAsync<ArgumentException>(() => _api.SendTextAsync("order-1", "+15555550100", "hello!", CancellationToken.None));
        var otherRecipient = await Assert.ThrowsAsync<ArgumentException>(() => _api.SendTextAsync("order-1", "+15555550101", "hello", CancellationToken.None));
        var command = (await _commands.HandleAsync(new ControlRequest("send", To: "+15555550101", Text: "hello", Id: "order-1"), CancellationToken.None))!;

        Assert.Contains($"the id order-1 was already used for another message ({first.MessageId} to 15555550100@s.whatsapp.net)", otherText.Message, StringComparison.Ordinal);
        Assert.Equal(otherText.Message, otherRecipient.Message);
        Assert.Equal((false, "usage"), (command.Ok, command.Code));
        Assert.Equal(first, await _api.GetSendAsync(first.MessageId, CancellationToken.None));
        Assert.Single(await _api.ReadEventsAsync(0, 10, CancellationToken.None));
        Assert.Equal(1, _waker.Wakes);
    }

    [Fact]
    public async Task SendCommand_WaitsForSent_OrSaysItStaysQueued()
    {
        await LinkAsync();
        var waiting = _commands.HandleAsync(new ControlRequest("send", To: "+15555550100", Text: "hello", WaitSeconds: 30), CancellationToken.None);
        await Eventually.UntilAsync(async () => (await _messages.GetPendingOutboundAsync(1, CancellationToken.None)).Count == 1, Eventually.DefaultTimeout, "the job queued");
        var job = (await _messages.GetPendingOutboundAsync(1, CancellationToken.None))[0];
        Assert.False(waiting.IsCompleted);

        // The client's outbox reports the server ack through the same store.
        await _messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Sent, _time.GetUtcNow(), null, CancellationToken.None);
        var sent = (await waiting)!;
        Assert.Equal((true, job.MessageId, "sent"), (sent.Ok, sent.Send?.Id, sent.Send?.Status));

        var late = _commands.HandleAsync(new ControlRequest("send", To: "+15555550100", Text: "later", WaitSeconds: 30), CancellationToken.None);
        // The wait runs on the gateway's clock: past 30 s it ends, the job still queued.
        await Eventually.UntilAsync(() => late.IsCompleted, Eventually.DefaultTimeout, "the wait to end", between: () => _time.Advance(TimeSpan.FromSeconds(31)));
        var timedOut = (await late)!;
        Assert.Equal((false, "timeout", "pending"), (timedOut.Ok, timedOut.Code, timedOut.Send?.Status));
        Assert.Contains("stays queued", timedOut.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendCommand_AFailedSend_IsAFailureWithTheReason_AndBadInputIsUsage()
    {
        await LinkAsync();
        var job = await _api.SendTextAsync("x", "+15555550100", "hello", CancellationToken.None);
        await _messages.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Failed, _time.GetUtcNow(), "no devices", CancellationToken.None);

        var failed = (await _commands.HandleAsync(new ControlRequest("send", To: "+15555550100", Text: "hello", Id: "x", WaitSeconds: 30), CancellationToken.None))!;
        var bad = (await _commands.HandleAsync(new ControlRequest("send", To: "+1", Text: "hello"), CancellationToken.None))!;

        Assert.Equal((false, null, "failed"), (failed.Ok, failed.Code, failed.Send?.Status));
        Assert.Contains("no devices", failed.Error, StringComparison.Ordinal);
        Assert.Equal((false, "usage"), (bad.Ok, bad.Code));
        Assert.DoesNotContain("Parameter", bad.Error, StringComparison.Ordinal);
        Assert.Equal(1, _counters.MessagesFailed);
    }

    [Fact]
    public async Task WaitForEvents_EndsWhenTheClientCommitsAMessage_AndCountsIt()
    {
        var waiting = _api.WaitForEventsAsync(0, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        await _messages.CommitInboundAsync(new SignalChanges(),
            new InboundMessage("A1", "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", null, _time.GetUtcNow(), "text", "hi", false, "Alice", null, null),
            CancellationToken.None);

        await waiting;
        var page = (await _commands.HandleAsync(new ControlRequest("messages", Cursor: 0), CancellationToken.None))!;
        var report = Assert.Single(page.Events!);
        Assert.Equal(new EventReport(1, "A1", "message", "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", _time.GetUtcNow(), "text", "hi",
            FromMe: false, PushName: "Alice"), report);
        Assert.Equal(1, _counters.MessagesIn);
        Assert.Equal(1, (await _api.GetTodayAsync(CancellationToken.None)).In);
    }

    [Fact]
    public async Task MessagesCommand_WithNothingNew_WaitsItsTime_ThenAnswersEmpty()
    {
        var page = _commands.HandleAsync(new ControlRequest("messages", Cursor: 0, WaitSeconds: 25), CancellationToken.None);
        Assert.False(page.IsCompleted);

        await Eventually.UntilAsync(() => page.IsCompleted, Eventually.DefaultTimeout, "the wait to end", between: () => _time.Advance(TimeSpan.FromSeconds(26)));

        Assert.Equal([], (await page)!.Events);
    }

    [Fact]
    public async Task Ack_IsKeptPerConsumer()
    {
        await _api.AckAsync("tunnel", 7, CancellationToken.None);
        await _api.AckAsync("tunnel", 3, CancellationToken.None);

        Assert.Equal(7, await _api.GetAckedCursorAsync("tunnel", CancellationToken.None));
    }

    private sealed class CountingWaker : IOutboxWaker
    {
        public int Wakes { get; private set; }

        public void WakeOutbox() => Wakes++;
    }

    private sealed class NoGroups : IGroupDirectory
    {
        public Task<IReadOnlyList<JoinedGroup>> GetJoinedGroupsAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not online");
    }
}
