namespace WaSms.WhatsApp.Store;

/// <summary>Where a message we sent stands. Only ever moves forward (Pending → Sent → Delivered → Read), or to Failed from Pending.</summary>
public enum MessageStatus
{
    Pending = 0,
    Sent = 1,
    Delivered = 2,
    Read = 3,
    Failed = 4,
}

/// <summary>
/// A message that reached the account, stored once by (chat, sender, id).
/// </summary>
/// <param name="Id">WhatsApp message id.</param>
/// <param name="Chat">The chat JID without device: the sender's user JID for 1:1, the group JID for groups,
/// the other party for a copy of our own send.</param>
/// <param name="Sender">The sending user JID (no device); our own JID for device-sent copies.</param>
/// <param name="SenderAlt">The sender's other identity (LID or phone-number JID) when the stanza or the store gave it.</param>
/// <param name="Timestamp">The server's <c>t</c>.</param>
/// <param name="Type">What it is: <c>text</c>, <c>image</c>, <c>video</c>, <c>audio</c>, <c>document</c>, <c>sticker</c>,
/// <c>location</c>, <c>contact</c>, <c>reaction</c>, <c>poll</c>, <c>protocol</c>, <c>unknown</c>, or <c>undecryptable</c>.</param>
/// <param name="Text">The text for texts (and captions), else null.</param>
/// <param name="FromMe">Sent by the account's own phone or another of its devices.</param>
/// <param name="PushName">The sender's push name (<c>notify</c>), if any.</param>
/// <param name="Content">The decrypted <c>waE2E.Message</c> protobuf (unpadded), so a type we do not render is kept whole; null when undecryptable.</param>
/// <param name="Error">Why it is undecryptable (a one-line reason), else null.</param>
public sealed record InboundMessage(
    string Id,
    string Chat,
    string Sender,
    string? SenderAlt,
    DateTimeOffset Timestamp,
    string Type,
    string? Text,
    bool FromMe,
    string? PushName,
    byte[]? Content,
    string? Error)
{
    /// <summary>
    /// The <see cref="Type"/> of a message stored without its content (a placeholder): a later resend that
    /// decrypts replaces it and is streamed again (docs/whatsapp.md §10.2, docs/protocol/messaging.md §10a).
    /// </summary>
    public const string Undecryptable = "undecryptable";
}

/// <summary>A send job and where it stands, with the time of each state reached.</summary>
/// <param name="MessageId">The WhatsApp message id we send it under (made when the job is created).</param>
/// <param name="CallerId">The caller's id that makes the send idempotent, or null.</param>
/// <param name="To">The chat: a user JID (<c>number@s.whatsapp.net</c> or <c>…@lid</c>) or a group JID.</param>
public sealed record OutboundMessage(
    string MessageId,
    string? CallerId,
    string To,
    string Text,
    MessageStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? ReadAt,
    DateTimeOffset? FailedAt,
    string? FailureReason,
    int Attempts,
    int Priority = OutboundMessage.NormalPriority,
    DateTimeOffset? ExpiresAt = null)
{
    /// <summary>Ahead of other chats' queued jobs (the platform's <c>priority</c> 1, docs/tunnel.md §6).</summary>
    public const int HighPriority = 1;

    /// <summary>In the order queued (the default).</summary>
    public const int NormalPriority = 2;
}

/// <summary>A status change of a message we sent, as it appears in the event stream.</summary>
public sealed record StatusChange(string MessageId, string? CallerId, string Chat, MessageStatus Status, DateTimeOffset At, string? Reason);

/// <summary>What an event in the stream is.</summary>
public enum MessageEventKind
{
    Message = 0,
    Status = 1,
}

/// <summary>
/// One entry of the ordered, durable stream the API hands out: an inbound message or a status change,
/// numbered by <paramref name="Cursor"/> (strictly increasing in the order they were stored).
/// </summary>
public sealed record MessageEvent(long Cursor, MessageEventKind Kind, InboundMessage? Message, StatusChange? Status);

/// <summary>Counters of one local day: messages received, sends that reached <c>sent</c>, sends failed, sends waiting now.</summary>
public sealed record DailyCounters(DateOnly Day, int In, int Out, int Failed, int Queued);
