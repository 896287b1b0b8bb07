using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Messaging;

/// <summary>
/// The in-process messaging API the platform tunnel and the control socket use: durable sends that a
/// caller id makes idempotent, and the ordered, acknowledgeable stream of inbound messages and status
/// changes (cursor-based; it survives restarts because it is the store's).
/// </summary>
public interface IMessagingApi
{
    /// <summary>
    /// Queues a text to <paramref name="to"/> (<c>+E164</c> or a group JID) and wakes the sender. With a
    /// <paramref name="callerId"/> already used for the same recipient and text, returns that job unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">A bad recipient, text or caller id (the message says which), or a caller id
    /// already used for another recipient or text.</exception>
    /// <exception cref="NotLinkedException">No WhatsApp number is linked.</exception>
    Task<OutboundMessage> SendTextAsync(string? callerId, string to, string text, CancellationToken cancellationToken);

    /// <summary>The job sent under <paramref name="messageId"/>, or null.</summary>
    Task<OutboundMessage?> GetSendAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>The job sent under <paramref name="messageId"/> once it has left Pending (sent, delivered, read or failed).</summary>
    /// <exception cref="ArgumentException">There is no such job.</exception>
    Task<OutboundMessage> WaitWhilePendingAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> events after <paramref name="afterCursor"/>, in stored order.</summary>
    Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken);

    /// <summary>Completes once there is an event after <paramref name="afterCursor"/> (at once if there is one now).</summary>
    Task WaitForEventsAsync(long afterCursor, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="consumer"/> handled the stream up to <paramref name="cursor"/> (never moves back).</summary>
    Task AckAsync(string consumer, long cursor, CancellationToken cancellationToken);

    /// <summary>The cursor <paramref name="consumer"/> acknowledged last, 0 when none.</summary>
    Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken);

    /// <summary>Today's counters (the gateway's local day): in, out, failed, queued.</summary>
    Task<DailyCounters> GetTodayAsync(CancellationToken cancellationToken);
}

/// <summary>A send was asked for while no WhatsApp number is linked.</summary>
public sealed class NotLinkedException()
    : InvalidOperationException("the gateway is not linked to a WhatsApp number; link it first (scan the QR or 'wasms-gateway pair-code')");
