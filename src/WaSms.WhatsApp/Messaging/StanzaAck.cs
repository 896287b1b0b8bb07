using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging;

/// <summary>
/// The client's <c>&lt;ack&gt;</c> for an inbound stanza (docs/protocol/messaging.md §5; whatsmeow
/// receipt.go <c>sendAck</c>): class = the stanza's tag, its id, <c>to</c> = its <c>from</c>, its
/// <c>participant</c> and <c>recipient</c>, its <c>type</c> except for messages, and a nack code if given.
/// </summary>
internal static class StanzaAck
{
    /// <summary>whatsmeow/Baileys nack codes used by the receive path (§3).</summary>
    public const int ParsingError = 487;

    /// <summary>No <c>&lt;enc&gt;</c> this client understands.</summary>
    public const int UnrecognizedStanza = 488;

    /// <summary>Decrypted, but the plaintext is not a <c>waE2E.Message</c>.</summary>
    public const int InvalidProtobuf = 491;

    /// <summary>The ack (or, with <paramref name="error"/>, nack) of <paramref name="stanza"/>.</summary>
    public static Node For(Node stanza, int? error = null)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        var attributes = new List<(string, AttrValue)> { ("class", stanza.Tag), ("id", stanza.Attr("id") ?? string.Empty) };
        CopyRouting(stanza, attributes);
        if (stanza.Tag != "message" && stanza.Attr("type") is { } type)
        {
            attributes.Add(("type", type));
        }

        if (error is { } code)
        {
            attributes.Add(("error", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return NodeHelpers.Make("ack", [.. attributes]);
    }

    /// <summary>Adds <c>to</c> = the stanza's <c>from</c>, then its <c>participant</c> and <c>recipient</c>, as receipts and acks address them.</summary>
    public static void CopyRouting(Node stanza, List<(string Key, AttrValue Value)> attributes)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        ArgumentNullException.ThrowIfNull(attributes);
        foreach (var (from, to) in (ReadOnlySpan<(string, string)>)[("from", "to"), ("participant", "participant"), ("recipient", "recipient")])
        {
            if (stanza.TryGetAttribute(from, out var value))
            {
                attributes.Add((to, value));
            }
        }
    }
}
