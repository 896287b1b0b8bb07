using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Messaging;

/// <summary>
/// <see cref="IMessagingApi"/> over the gateway's store: validates, queues through
/// <see cref="ObservedMessageStore"/> and wakes the client's outbox.
/// </summary>
public sealed class MessagingApi(ObservedMessageStore messages, IWhatsAppSessionStore session, IOutboxWaker outbox, TimeProvider time) : IMessagingApi
{
    /// <summary>Longest text accepted (characters): it must fit one control-socket request, escaped.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>Longest caller id accepted.</summary>
    public const int MaxCallerIdLength = 128;

    /// <summary>The prefix of the platform's jobs' caller ids (docs/tunnel.md §10), which local sends may not use.</summary>
    public const string ReservedIdPrefix = "platform:";

    public async Task<OutboundMessage> SendTextAsync(string? callerId, string to, string text, CancellationToken cancellationToken)
    {
        var chat = Recipient.ToChatJid(to);
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength)
        {
            throw new ArgumentException($"the text must have 1 to {MaxTextLength} characters (it has {text.Length})", nameof(text));
        }
        if (callerId is not null && (callerId.Length is 0 or > MaxCallerIdLength || callerId.Any(char.IsControl)))
        {
            throw new ArgumentException($"the id must have 1 to {MaxCallerIdLength} printable characters", nameof(callerId));
        }
        if (callerId is not null && callerId.StartsWith(ReservedIdPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"ids starting with '{ReservedIdPrefix}' are the platform's jobs'; choose another id", nameof(callerId));
        }
        if (!await session.HasSessionAsync(cancellationToken))
        {
            throw new NotLinkedException();
        }
        var job = await messages.EnqueueOutboundAsync(callerId, chat, text, cancellationToken);
        if (job.To != chat || job.Text != text)
        {
            // The store returns the job first made with this id: a retry of that send is idempotent, but
            // another recipient or text under the same id is a caller's bug, never a silent old answer.
            throw new ArgumentException($"the id {Recipient.Shorten(callerId!)} was already used for another message ({job.MessageId} to {job.To}); "
                + "give each new message its own id", nameof(callerId));
        }
        if (job.Status == MessageStatus.Pending)
        {
            outbox.WakeOutbox();
        }
        return job;
    }

    public Task<OutboundMessage?> GetSendAsync(string messageId, CancellationToken cancellationToken) =>
        messages.GetOutboundAsync(messageId, cancellationToken);

    public Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken) =>
        messages.ReadEventsAsync(afterCursor, max, cancellationToken);

    public async Task<OutboundMessage> WaitWhilePendingAsync(string messageId, CancellationToken cancellationToken)
    {
        OutboundMessage? job = null;
        await WaitUntilAsync(async () =>
        {
            job = await messages.GetOutboundAsync(messageId, cancellationToken)
                  ?? throw new ArgumentException($"no message {Recipient.Shorten(messageId)} was sent from this gateway", nameof(messageId));
            return job.Status != MessageStatus.Pending;
        }, cancellationToken);
        return job!;
    }

    public Task WaitForEventsAsync(long afterCursor, CancellationToken cancellationToken) =>
        WaitUntilAsync(async () => (await messages.ReadEventsAsync(afterCursor, 1, cancellationToken)).Count > 0, cancellationToken);

    /// <summary>Checks <paramref name="done"/> now and after every append to the stream until it holds.</summary>
    private async Task WaitUntilAsync(Func<Task<bool>> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Take the signal before looking, so an append in between is not missed.
            var appended = messages.Appended;
            if (await done())
            {
                return;
            }
            await appended.WaitAsync(cancellationToken);
        }
    }

    public Task AckAsync(string consumer, long cursor, CancellationToken cancellationToken) =>
        messages.AckEventsAsync(consumer, cursor, cancellationToken);

    public Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken) =>
        messages.GetAckedCursorAsync(consumer, cancellationToken);

    public Task<DailyCounters> GetTodayAsync(CancellationToken cancellationToken) =>
        messages.GetDailyCountersAsync(DateOnly.FromDateTime(time.GetLocalNow().DateTime), cancellationToken);
}
