using System.Buffers.Binary;
using System.Globalization;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// The receipts this client sends for inbound messages (docs/protocol/messaging.md §4, §8; whatsmeow
/// receipt.go <c>sendMessageReceipt</c>, retry.go <c>sendRetryReceipt</c>): addressed like the ack,
/// <c>to</c> = the message's <c>from</c> with its <c>participant</c> and <c>recipient</c>.
/// </summary>
internal static class ReceiptNodes
{
    /// <summary>
    /// The delivery receipt: plain (the client declared itself active, §4), <c>type="sender"</c> for
    /// a copy of our own send, <c>type="peer_msg"</c> for a message between our own devices.
    /// </summary>
    public static Node Delivery(MessageStanza stanza, bool fromMe)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        var attributes = new List<(string, AttrValue)> { ("id", stanza.Id) };
        StanzaAck.CopyRouting(stanza.Node, attributes);
        if (stanza.IsPeer)
        {
            attributes.Add(("type", "peer_msg"));
        }
        else if (fromMe)
        {
            attributes.Add(("type", "sender"));
        }

        return NodeHelpers.Make("receipt", [.. attributes]);
    }

    /// <summary>
    /// <c>&lt;receipt id type="hist_sync" to="own user"/&gt;</c>: our phone's history-sync notification was
    /// taken (docs/protocol/messaging.md §10b; whatsmeow message.go <c>SendProtocolMessageReceipt</c>,
    /// Baileys messages-recv.ts), sent after the delivery receipt.
    /// </summary>
    public static Node HistorySync(string id, Jid ownUser) =>
        NodeHelpers.Make("receipt", ("id", id), ("type", "hist_sync"), ("to", ownUser));

    /// <summary>
    /// <c>&lt;receipt type="retry"&gt;&lt;retry count id t v="1"/&gt;&lt;registration/&gt;[&lt;keys&gt;…]&lt;/receipt&gt;</c>:
    /// asks the sender to encrypt <paramref name="stanza"/> again; with <paramref name="preKey"/> the
    /// <c>&lt;keys&gt;</c> bundle lets it start a new session (whatsmeow sends it from count 2 on).
    /// </summary>
    public static Node Retry(MessageStanza stanza, int count, WaCredentials credentials, PreKey? preKey)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        ArgumentNullException.ThrowIfNull(credentials);
        var attributes = new List<(string, AttrValue)> { ("id", stanza.Id) };
        StanzaAck.CopyRouting(stanza.Node, attributes);
        attributes.Add(("type", "retry"));
        if (stanza.IsPeer)
        {
            attributes.Add(("category", "peer"));
        }

        var registration = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(registration, credentials.RegistrationId);
        var children = new List<Node>
        {
            NodeHelpers.Make(
                "retry",
                ("count", count.ToString(CultureInfo.InvariantCulture)),
                ("id", stanza.Id),
                ("t", stanza.Node.Attr("t") ?? "0"),
                ("v", "1")),
            NodeHelpers.MakeBytes("registration", [], registration),
        };
        if (preKey is not null)
        {
            children.Add(NodeHelpers.Make(
                "keys",
                [],
                NodeHelpers.MakeBytes("type", [], [SignalKeys.DjbType]),
                NodeHelpers.MakeBytes("identity", [], credentials.IdentityKey.PublicKey.Span),
                PreKeyNodes.KeyNode("key", preKey.Id, preKey.KeyPair.PublicKey.Span),
                PreKeyNodes.KeyNode("skey", credentials.SignedPreKeyId, credentials.SignedPreKey.PublicKey.Span, credentials.SignedPreKeySignature.Span),
                NodeHelpers.MakeBytes("device-identity", [], credentials.Account.Span)));
        }

        return NodeHelpers.Make("receipt", [.. attributes], [.. children]);
    }
}
