using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>One <c>&lt;enc&gt;</c> of an inbound message: its Signal type, format version, retry count and ciphertext.</summary>
internal sealed record EncPart(string Type, int Version, int RetryCount, byte[] Ciphertext);

/// <summary>
/// The attributes and parts of an inbound <c>&lt;message&gt;</c> (docs/protocol/messaging.md §2;
/// whatsmeow message.go <c>parseMessageInfo</c>, Baileys decode-wa-message.js <c>decodeMessageNode</c>).
/// </summary>
/// <param name="Node">The stanza, for acks and receipts that copy its attributes.</param>
/// <param name="From">1:1: the sending device; group/broadcast: the group; own copies: our sending device.</param>
/// <param name="Participant">The sending device in a group or broadcast.</param>
/// <param name="Recipient">The chat of a copy of our own send.</param>
/// <param name="Unavailable">The <c>&lt;unavailable type&gt;</c> when the server holds no ciphertext for us.</param>
internal sealed record MessageStanza(
    Node Node,
    string Id,
    Jid From,
    Jid? Participant,
    Jid? Recipient,
    DateTimeOffset Timestamp,
    string? Type,
    string? PushName,
    string? Category,
    IReadOnlyList<EncPart> Parts,
    string? Unavailable)
{
    /// <summary>A group or broadcast list: <see cref="From"/> is the chat, <see cref="Participant"/> the sender.</summary>
    public bool IsGroup => From.Server is JidServer.Group or JidServer.Broadcast;

    /// <summary>The device that encrypted the message.</summary>
    public Jid SenderDevice => IsGroup ? Participant! : From;

    /// <summary>A message between our own devices (<c>category="peer"</c>, or whatsmeow's <c>type="peer_msg"</c>).</summary>
    public bool IsPeer => Category == "peer" || Type == "peer_msg";

    /// <summary>Reads <paramref name="node"/>; false with <paramref name="problem"/> when an attribute the routing needs is missing or wrong.</summary>
    public static bool TryParse(Node node, [NotNullWhen(true)] out MessageStanza? stanza, [NotNullWhen(false)] out string? problem)
    {
        stanza = null;
        var id = node.Attr("id");
        var from = node.JidAttr("from");
        if (string.IsNullOrEmpty(id) || from is null)
        {
            problem = "the message has no id or no from";
            return false;
        }

        var participant = node.JidAttr("participant");
        var isGroup = from.Server is JidServer.Group or JidServer.Broadcast;
        if (isGroup && participant is null)
        {
            problem = "a group message has no participant";
            return false;
        }

        if (!isGroup && from.User.Length == 0)
        {
            problem = "the message is from a server address";
            return false;
        }

        var parts = new List<EncPart>();
        string? unavailable = null;
        foreach (var child in node.Children)
        {
            if (child.Tag == "enc" && child.Content.Kind == NodeContentKind.Bytes)
            {
                child.TryIntAttr("v", out var version);
                child.TryIntAttr("count", out var count);
                parts.Add(new EncPart(child.Attr("type") ?? string.Empty, version, count, child.Content.Bytes.ToArray()));
            }
            else if (child.Tag == "unavailable")
            {
                unavailable = child.Attr("type") ?? "unknown";
            }
        }

        var timestamp = long.TryParse(node.Attr("t"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(t)
            : DateTimeOffset.UnixEpoch;
        var notify = node.Attr("notify");
        stanza = new MessageStanza(
            node,
            id,
            from,
            participant,
            node.JidAttr("recipient"),
            timestamp,
            node.Attr("type"),
            notify is null or "-" ? null : notify,
            node.Attr("category"),
            parts,
            unavailable);
        problem = null;
        return true;
    }
}
