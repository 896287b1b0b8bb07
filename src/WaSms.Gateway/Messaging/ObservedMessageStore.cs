using WaSms.Core.Health;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Messaging;

/// <summary>
/// The message store the client and the API share, seen on its way through: every call that may append
/// to the stream pulses <see cref="Appended"/> (so <c>messages --follow</c> and the tunnel wake without
/// polling), and stored messages and sends move the since-start <see cref="HealthCounters"/>.
/// </summary>
public sealed class ObservedMessageStore(IMessageStore inner, HealthCounters counters) : IMessageStore
{
    private TaskCompletionSource _appended = NewSignal();

    /// <summary>Completes at the next append after it was read.</summary>
    public Task Appended => Volatile.Read(ref _appended).Task;

    public async Task<bool> CommitInboundAsync(SignalChanges changes, InboundMessage message, CancellationToken cancellationToken)
    {
        var added = await inner.CommitInboundAsync(changes, message, cancellationToken);
        if (added)
        {
            if (!message.FromMe)
            {
                counters.MessageReceived();
            }
            Pulse();
        }
        return added;
    }

    /// <summary>The grouped commit of a backlog: one transaction underneath (the interface's default would make one per message).</summary>
    public async Task<IReadOnlyList<bool>> CommitInboundBatchAsync(SignalChanges changes, IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken)
    {
        var stored = await inner.CommitInboundBatchAsync(changes, messages, cancellationToken);
        for (var i = 0; i < stored.Count; i++)
        {
            if (stored[i] && !messages[i].FromMe)
            {
                counters.MessageReceived();
            }
        }
        if (stored.Contains(true))
        {
            Pulse();
        }
        return stored;
    }

    public Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken) =>
        inner.HasInboundAsync(chat, sender, id, cancellationToken);

    public Task<int> CountDecryptFailureAsync(string senderDevice, string id, CancellationToken cancellationToken) =>
        inner.CountDecryptFailureAsync(senderDevice, id, cancellationToken);

    public async Task<OutboundMessage> EnqueueOutboundAsync(string? callerId, string to, string text, CancellationToken cancellationToken)
    {
        var job = await inner.EnqueueOutboundAsync(callerId, to, text, cancellationToken);
        Pulse();
        return job;
    }

    public Task<OutboundMessage?> GetOutboundAsync(string messageId, CancellationToken cancellationToken) =>
        inner.GetOutboundAsync(messageId, cancellationToken);

    public Task<OutboundMessage?> GetOutboundByCallerIdAsync(string callerId, CancellationToken cancellationToken) =>
        inner.GetOutboundByCallerIdAsync(callerId, cancellationToken);

    public Task<IReadOnlyList<OutboundMessage>> GetPendingOutboundAsync(int max, CancellationToken cancellationToken) =>
        inner.GetPendingOutboundAsync(max, cancellationToken);

    public Task CommitSendAttemptAsync(SignalChanges changes, string messageId, CancellationToken cancellationToken) =>
        inner.CommitSendAttemptAsync(changes, messageId, cancellationToken);

    public async Task<bool> UpdateOutboundStatusAsync(string messageId, MessageStatus status, DateTimeOffset at, string? reason, CancellationToken cancellationToken)
    {
        var changed = await inner.UpdateOutboundStatusAsync(messageId, status, at, reason, cancellationToken);
        if (changed)
        {
            if (status == MessageStatus.Sent)
            {
                counters.MessageSent();
            }
            else if (status == MessageStatus.Failed)
            {
                counters.MessageFailed();
            }
            Pulse();
        }
        return changed;
    }

    public Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken) =>
        inner.ReadEventsAsync(afterCursor, max, cancellationToken);

    public Task AckEventsAsync(string consumer, long cursor, CancellationToken cancellationToken) =>
        inner.AckEventsAsync(consumer, cursor, cancellationToken);

    public Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken) =>
        inner.GetAckedCursorAsync(consumer, cancellationToken);

    public Task<DailyCounters> GetDailyCountersAsync(DateOnly day, CancellationToken cancellationToken) =>
        inner.GetDailyCountersAsync(day, cancellationToken);

    public Task RememberUndecryptedAsync(InboundMessage message, CancellationToken cancellationToken) =>
        inner.RememberUndecryptedAsync(message, cancellationToken);

    public async Task<IReadOnlyList<InboundMessage>> StoreUndecryptedAsync(DateTimeOffset failedBefore, string reason, CancellationToken cancellationToken)
    {
        var stored = await inner.StoreUndecryptedAsync(failedBefore, reason, cancellationToken);
        foreach (var _ in stored.Where(m => !m.FromMe))
        {
            counters.MessageReceived();
        }
        if (stored.Count > 0)
        {
            Pulse();
        }
        return stored;
    }

    /// <summary>Wakes whoever waits on <see cref="Appended"/>; events appended outside this store (a relink's failed sends) call it too.</summary>
    public void Pulse() => Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
