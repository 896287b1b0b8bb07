using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>A real message store whose next inbound commits fail as a full disk would (fault injection), then work again.</summary>
internal sealed class FaultyMessageStore(IMessageStore inner) : IMessageStore
{
    /// <summary>How many of the next <see cref="CommitInboundAsync"/> calls throw.</summary>
    public int FailNextCommits { get; set; }

    public Task<bool> CommitInboundAsync(SignalChanges changes, InboundMessage message, CancellationToken cancellationToken)
    {
        if (FailNextCommits > 0)
        {
            FailNextCommits--;
            throw new IOException("disk full (injected)");
        }

        return inner.CommitInboundAsync(changes, message, cancellationToken);
    }

    /// <summary>A message id whose handling always throws (a poison message): <see cref="HasInboundAsync"/> fails for it.</summary>
    public string? PoisonId { get; set; }

    public Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken) =>
        id == PoisonId ? throw new InvalidOperationException("poison message (injected)") : inner.HasInboundAsync(chat, sender, id, cancellationToken);

    public Task<int> CountDecryptFailureAsync(string senderDevice, string id, CancellationToken cancellationToken) => inner.CountDecryptFailureAsync(senderDevice, id, cancellationToken);

    public Task<OutboundMessage> EnqueueOutboundAsync(string? callerId, string to, string text, CancellationToken cancellationToken) => inner.EnqueueOutboundAsync(callerId, to, text, cancellationToken);

    public Task<OutboundMessage?> GetOutboundAsync(string messageId, CancellationToken cancellationToken) => inner.GetOutboundAsync(messageId, cancellationToken);

    public Task<OutboundMessage?> GetOutboundByCallerIdAsync(string callerId, CancellationToken cancellationToken) => inner.GetOutboundByCallerIdAsync(callerId, cancellationToken);

    public Task<IReadOnlyList<OutboundMessage>> GetPendingOutboundAsync(int max, CancellationToken cancellationToken) => inner.GetPendingOutboundAsync(max, cancellationToken);

    public Task CommitSendAttemptAsync(SignalChanges changes, string messageId, CancellationToken cancellationToken) => inner.CommitSendAttemptAsync(changes, messageId, cancellationToken);

    /// <summary>How many of the next <see cref="UpdateOutboundStatusAsync"/> calls throw.</summary>
    public int FailNextStatusUpdates { get; set; }

    public Task<bool> UpdateOutboundStatusAsync(string messageId, MessageStatus status, DateTimeOffset at, string? reason, CancellationToken cancellationToken)
    {
        if (FailNextStatusUpdates > 0)
        {
            FailNextStatusUpdates--;
            throw new IOException("disk full (injected)");
        }

        return inner.UpdateOutboundStatusAsync(messageId, status, at, reason, cancellationToken);
    }

    public Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken) => inner.ReadEventsAsync(afterCursor, max, cancellationToken);

    public Task AckEventsAsync(string consumer, long cursor, CancellationToken cancellationToken) => inner.AckEventsAsync(consumer, cursor, cancellationToken);

    public Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken) => inner.GetAckedCursorAsync(consumer, cancellationToken);

    public Task<DailyCounters> GetDailyCountersAsync(DateOnly day, CancellationToken cancellationToken) => inner.GetDailyCountersAsync(day, cancellationToken);

    public Task RememberUndecryptedAsync(InboundMessage message, CancellationToken cancellationToken) => inner.RememberUndecryptedAsync(message, cancellationToken);

    public Task<IReadOnlyList<InboundMessage>> StoreUndecryptedAsync(DateTimeOffset failedBefore, string reason, CancellationToken cancellationToken) =>
        inner.StoreUndecryptedAsync(failedBefore, reason, cancellationToken);
}
