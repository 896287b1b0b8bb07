using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// The WhatsApp client's messages in the gateway database (GatewayStore.Inbound.cs, .SendJobs.cs,
/// .Events.cs); the Signal changes committed with them belong to the <c>whatsapp</c> scope. With
/// <paramref name="optOuts"/>, a message that opts its sender out (or in) changes the list in its own commit.
/// </summary>
public sealed class WhatsAppMessageStore(GatewayStore store, IOptOutClassifier? optOuts = null) : IMessageStore
{
    public Task<bool> CommitInboundAsync(SignalChanges changes, InboundMessage message, CancellationToken cancellationToken) =>
        store.CommitInboundAsync(SecretScopes.WhatsApp, changes, message, optOuts?.Classify(message), cancellationToken);

    public Task<IReadOnlyList<bool>> CommitInboundBatchAsync(SignalChanges changes, IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken) =>
        store.CommitInboundBatchAsync(SecretScopes.WhatsApp, changes, messages, optOuts is null ? null : messages.Select(optOuts.Classify).ToList(), cancellationToken);

    public Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken) =>
        store.HasInboundAsync(chat, sender, id, cancellationToken);

    public Task<int> CountDecryptFailureAsync(string senderDevice, string id, CancellationToken cancellationToken) =>
        store.CountDecryptFailureAsync(senderDevice, id, cancellationToken);

    public Task<OutboundMessage> EnqueueOutboundAsync(string? callerId, string to, string text, CancellationToken cancellationToken) =>
        store.EnqueueOutboundAsync(callerId, to, text, cancellationToken);

    public Task<OutboundMessage?> GetOutboundAsync(string messageId, CancellationToken cancellationToken) =>
        store.GetOutboundAsync(messageId, cancellationToken);

    public Task<OutboundMessage?> GetOutboundByCallerIdAsync(string callerId, CancellationToken cancellationToken) =>
        store.GetOutboundByCallerIdAsync(callerId, cancellationToken);

    public Task<IReadOnlyList<OutboundMessage>> GetPendingOutboundAsync(int max, CancellationToken cancellationToken) =>
        store.GetPendingOutboundAsync(max, cancellationToken);

    public Task CommitSendAttemptAsync(SignalChanges changes, string messageId, CancellationToken cancellationToken) =>
        store.CommitSendAttemptAsync(SecretScopes.WhatsApp, changes, messageId, cancellationToken);

    public Task<bool> UpdateOutboundStatusAsync(string messageId, MessageStatus status, DateTimeOffset at, string? reason, CancellationToken cancellationToken) =>
        store.UpdateOutboundStatusAsync(messageId, status, at, reason, cancellationToken);

    public Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken) =>
        store.ReadEventsAsync(afterCursor, max, cancellationToken);

    public Task AckEventsAsync(string consumer, long cursor, CancellationToken cancellationToken) =>
        store.AckEventsAsync(consumer, cursor, cancellationToken);

    public Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken) =>
        store.GetAckedCursorAsync(consumer, cancellationToken);

    public Task<DailyCounters> GetDailyCountersAsync(DateOnly day, CancellationToken cancellationToken) =>
        store.GetDailyCountersAsync(day, cancellationToken);

    public Task RememberUndecryptedAsync(InboundMessage message, CancellationToken cancellationToken) =>
        store.RememberUndecryptedAsync(message, cancellationToken);

    public Task<IReadOnlyList<InboundMessage>> StoreUndecryptedAsync(DateTimeOffset failedBefore, string reason, CancellationToken cancellationToken) =>
        store.StoreUndecryptedAsync(failedBefore, reason, cancellationToken);
}
