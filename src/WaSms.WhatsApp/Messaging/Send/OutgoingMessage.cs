using Google.Protobuf;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Proto.E2E;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// The <c>waE2E.Message</c> plaintexts a send encrypts (docs/protocol/messaging.md §6.3, §7), serialised
/// and unpadded: the text itself, the device-sent copy for our own other devices and the sender-key
/// distribution message for group members.
/// </summary>
internal static class OutgoingMessage
{
    /// <summary>Longest text accepted (WhatsApp's own limit is 65,536 characters).</summary>
    public const int MaxTextLength = 65536;

    /// <summary>A text: <c>conversation</c>, the field both libraries send plain texts in.</summary>
    public static Message Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Message { Conversation = text };
    }

    /// <summary>
    /// What our own other devices get instead: <c>deviceSentMessage{destinationJid, message}</c> with the
    /// original's <c>messageContextInfo</c> copied up (whatsmeow <c>marshalMessage</c>, Baileys <c>meMsg</c>).
    /// </summary>
    public static Message DeviceSent(Jid chat, Message message)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(message);
        var wrapped = new Message { DeviceSentMessage = new DeviceSentMessage { DestinationJid = chat.ToString(), Message = message } };
        if (message.MessageContextInfo is { } context)
        {
            wrapped.MessageContextInfo = context;
        }

        return wrapped;
    }

    /// <summary><c>senderKeyDistributionMessage{groupId, axolotlSenderKeyDistributionMessage}</c>, sent pairwise to group members.</summary>
    public static Message SenderKeyDistribution(Jid group, byte[] distribution) =>
        new() { SenderKeyDistributionMessage = new SenderKeyDistributionMessage { GroupId = group.ToString(), AxolotlSenderKeyDistributionMessage = ByteString.CopyFrom(distribution) } };

    /// <summary>Serialised bytes.</summary>
    public static byte[] Bytes(Message message) => message.ToByteArray();
}
