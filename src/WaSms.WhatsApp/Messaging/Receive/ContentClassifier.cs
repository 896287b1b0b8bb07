using WaSms.WhatsApp.Proto.E2E;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// What a decrypted <c>waE2E.Message</c> is, for <see cref="Store.InboundMessage.Type"/> and its text
/// (docs/protocol/messaging.md §3 "Classification", §7). Wrappers (device-sent copy, ephemeral,
/// view-once, document-with-caption, edited) are unwrapped first, as whatsmeow's
/// <c>getTypeFromMessage</c> does; a message with no field this client knows is <c>unknown</c>, never rejected.
/// </summary>
internal static class ContentClassifier
{
    /// <summary>Wrappers nest at most this deep in practice (ephemeral around view-once around the media); deeper is treated as unknown.</summary>
    private const int MaxWrapperDepth = 8;

    /// <summary>The type and text of <paramref name="message"/>, or null when it carries no content (only a sender key or context info).</summary>
    public static (string Type, string? Text)? Classify(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var inner = Unwrap(message);
        if (inner is null)
        {
            return ("unknown", null);
        }

        if (inner.HasConversation)
        {
            return ("text", inner.Conversation);
        }

        return inner switch
        {
            { ExtendedTextMessage: { } t } => ("text", t.HasText ? t.Text : null),
            { ImageMessage: { } i } => ("image", i.HasCaption ? i.Caption : null),
            { VideoMessage: { } v } => ("video", v.HasCaption ? v.Caption : null),
            { PtvMessage: not null } => ("video", null),
            { AudioMessage: not null } => ("audio", null),
            { DocumentMessage: { } d } => ("document", d.HasCaption ? d.Caption : null),
            { StickerMessage: not null } => ("sticker", null),
            { LocationMessage: { } l } => ("location", l.HasName ? l.Name : null),
            { LiveLocationMessage: not null } => ("location", null),
            { ContactMessage: { } c } => ("contact", c.HasDisplayName ? c.DisplayName : null),
            { ContactsArrayMessage: { } a } => ("contact", a.HasDisplayName ? a.DisplayName : null),
            { ReactionMessage: { } r } => ("reaction", r.HasText ? r.Text : null),
            { PollCreationMessage: { } p } => ("poll", p.HasName ? p.Name : null),
            { PollCreationMessageV2: { } p } => ("poll", p.HasName ? p.Name : null),
            { PollCreationMessageV3: { } p } => ("poll", p.HasName ? p.Name : null),
            { PollUpdateMessage: not null } => ("poll", null),
            { ProtocolMessage: { } m } => ("protocol", m.EditedMessage is { } edited ? TextOf(edited) : null),
            _ when IsOnlySenderKeyOrContext(inner) => null,
            _ => ("unknown", null),
        };
    }

    /// <summary>The text of a (possibly wrapped) message, or null.</summary>
    public static string? TextOf(Message message) => Classify(message) is { } c ? c.Text : null;

    /// <summary>The content message inside the wrappers, or null when they nest deeper than <see cref="MaxWrapperDepth"/>.</summary>
    private static Message? Unwrap(Message message)
    {
        for (var depth = 0; depth < MaxWrapperDepth; depth++)
        {
            var inner = message.DeviceSentMessage?.Message
                ?? message.EphemeralMessage?.Message
                ?? message.ViewOnceMessage?.Message
                ?? message.ViewOnceMessageV2?.Message
                ?? message.ViewOnceMessageV2Extension?.Message
                ?? message.DocumentWithCaptionMessage?.Message
                ?? message.EditedMessage?.Message;
            if (inner is null)
            {
                return message;
            }

            message = inner;
        }

        return null;
    }

    private static bool IsOnlySenderKeyOrContext(Message message)
    {
        var bare = message.Clone();
        bare.SenderKeyDistributionMessage = null;
        bare.FastRatchetKeySenderKeyDistributionMessage = null;
        bare.MessageContextInfo = null;
        return bare.CalculateSize() == 0;
    }
}
