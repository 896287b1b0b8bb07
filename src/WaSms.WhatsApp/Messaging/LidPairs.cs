using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging;

/// <summary>
/// The LID↔phone-number pairs a stanza's attributes reveal (docs/protocol/messaging.md §1: whatsmeow
/// message.go stores every pair it sees, Baileys decode-wa-message.js <c>storeMappingFromEnvelope</c>):
/// <c>sender_lid</c>/<c>sender_pn</c> next to <c>from</c>, <c>participant_lid</c>/<c>participant_pn</c>
/// next to <c>participant</c>, <c>recipient_*</c> and <c>peer_recipient_*</c> next to <c>recipient</c>.
/// </summary>
internal static class LidPairs
{
    /// <summary>Adds every pair of <paramref name="node"/> to <paramref name="lidToPhone"/> (LID user → phone-number user).</summary>
    public static void Collect(Node node, IDictionary<string, string> lidToPhone)
    {
        var from = node.JidAttr("from");
        var participant = node.JidAttr("participant");
        var recipient = node.JidAttr("recipient");
        Add(lidToPhone, from, node.JidAttr("sender_lid") ?? node.JidAttr("sender_pn"));
        Add(lidToPhone, participant, node.JidAttr("participant_lid") ?? node.JidAttr("participant_pn"));
        Add(lidToPhone, recipient, node.JidAttr("recipient_lid") ?? node.JidAttr("recipient_pn"));
        Add(lidToPhone, recipient, node.JidAttr("peer_recipient_lid") ?? node.JidAttr("peer_recipient_pn"));
    }

    /// <summary>Adds the pair of <paramref name="one"/> and <paramref name="other"/> when one is a LID and the other a phone number.</summary>
    public static void Add(IDictionary<string, string> lidToPhone, Jid? one, Jid? other)
    {
        if (one is null || other is null || one.User.Length == 0 || other.User.Length == 0)
        {
            return;
        }

        if (one.Server == JidServer.Lid && other.Server == JidServer.WhatsApp)
        {
            lidToPhone[one.User] = other.User;
        }
        else if (one.Server == JidServer.WhatsApp && other.Server == JidServer.Lid)
        {
            lidToPhone[other.User] = one.User;
        }
    }
}
