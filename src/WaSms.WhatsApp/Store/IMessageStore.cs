namespace WaSms.WhatsApp.Store;

/// <summary>
/// The durable message side of the store: inbound messages, send jobs and their states, and the
/// event stream the in-process API reads with a cursor. Every method that takes
/// <see cref="SignalChanges"/> commits them and the message row in <b>one</b> transaction, so a
/// ratchet step is never saved without its message (or the reverse) — the rule that keeps kill -9
/// from losing a message or causing "Bad MAC" afterwards.
/// </summary>
public interface IMessageStore
{
    /// <summary>
    /// Saves <paramref name="changes"/> and, unless (chat, sender, id) is already stored, the message
    /// plus its stream event, in one transaction. A message with content whose (chat, sender, id) is
    /// stored as an <see cref="InboundMessage.Undecryptable"/> placeholder replaces it and appends a new
    /// stream event (a late resend); a second placeholder, or anything after the replacement, is a duplicate.
    /// </summary>
    /// <returns>False when the message was a duplicate (the changes are still saved).</returns>
    Task<bool> CommitInboundAsync(SignalChanges changes, InboundMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// The grouped commit of a backlog (Messaging/Receive/MessageBatch): <paramref name="changes"/> and every
    /// one of <paramref name="messages"/> not already stored, each with its stream event in list order, in
    /// <b>one</b> transaction. A (chat, sender, id) stored before, or twice in the list, is stored once.
    /// The default commits the rows one by one and the changes with the last, so a crash in between
    /// leaves rows whose ratchet steps are not saved (redelivered, they are receipted as duplicates) and
    /// never a step without its row; the stores of this project override it with one transaction.
    /// </summary>
    /// <returns>For each message, true when it was stored, false when it was a duplicate.</returns>
    async Task<IReadOnlyList<bool>> CommitInboundBatchAsync(SignalChanges changes, IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfZero(messages.Count);
        var stored = new bool[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            stored[i] = await CommitInboundAsync(i == messages.Count - 1 ? changes : new SignalChanges(), messages[i], cancellationToken);
        }

        return stored;
    }

    /// <summary>True when (chat, sender, id) is stored with its content (a placeholder a resend may replace does not count).</summary>
    Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken);

    /// <summary>Counts one more failed decrypt of (sender device JID, id) and returns the count so far (1 for the first).</summary>
    Task<int> CountDecryptFailureAsync(string senderDevice, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a send job (status Pending, event appended) or, when <paramref name="callerId"/> is
    /// already known, returns the existing job unchanged.
    /// </summary>
    Task<OutboundMessage> EnqueueOutboundAsync(string? callerId, string to, string text, CancellationToken cancellationToken);

    /// <summary>The job sent under <paramref name="messageId"/>, or null.</summary>
    Task<OutboundMessage?> GetOutboundAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>The job created with <paramref name="callerId"/>, or null.</summary>
    Task<OutboundMessage?> GetOutboundByCallerIdAsync(string callerId, CancellationToken cancellationToken);

    /// <summary>Jobs still Pending, oldest first (per-chat order is creation order).</summary>
    Task<IReadOnlyList<OutboundMessage>> GetPendingOutboundAsync(int max, CancellationToken cancellationToken);

    /// <summary>
    /// Saves the session state an encryption of job <paramref name="messageId"/> produced and counts
    /// the attempt, in one transaction, before the stanza is written.
    /// </summary>
    Task CommitSendAttemptAsync(SignalChanges changes, string messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves job <paramref name="messageId"/> to <paramref name="status"/> if that is forward (a late
    /// delivery after read changes nothing) and appends the stream event.
    /// </summary>
    /// <returns>True when the status changed.</returns>
    Task<bool> UpdateOutboundStatusAsync(string messageId, MessageStatus status, DateTimeOffset at, string? reason, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> events after <paramref name="afterCursor"/>, in order.</summary>
    Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="consumer"/> has handled every event up to <paramref name="cursor"/> (never moves back).</summary>
    Task AckEventsAsync(string consumer, long cursor, CancellationToken cancellationToken);

    /// <summary>The last cursor <paramref name="consumer"/> acknowledged, 0 when none.</summary>
    Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken);

    /// <summary>The counters of <paramref name="day"/> (local time of the store's clock).</summary>
    Task<DailyCounters> GetDailyCountersAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>
    /// Remembers <paramref name="message"/>, which failed to decrypt and waits for the sender's resend, with
    /// the time of its first failure (a later failure changes nothing). Added for the undecryptable sweep.
    /// </summary>
    Task RememberUndecryptedAsync(InboundMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Stores every remembered message first failed before <paramref name="failedBefore"/> as
    /// <c>undecryptable</c> with <paramref name="reason"/> (the decrypt error in brackets), with its stream
    /// event, unless it (or its PN/LID twin) was stored meanwhile, and forgets them, in one transaction.
    /// </summary>
    /// <returns>The messages stored now, oldest failure first.</returns>
    Task<IReadOnlyList<InboundMessage>> StoreUndecryptedAsync(DateTimeOffset failedBefore, string reason, CancellationToken cancellationToken);
}
