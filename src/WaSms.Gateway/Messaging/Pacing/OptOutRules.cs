using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Messaging.Pacing;

/// <summary>
/// Which inbound messages change the opt-out list: a 1:1 text (not a group's, not our own) that is
/// exactly an opt-out keyword puts its sender on it, an opt-in keyword takes the sender off. The store
/// applies the answer in the message's own commit, so a crash never keeps one without the other.
/// </summary>
public sealed class OptOutRules(PacingOptions options) : IOptOutClassifier
{
    private readonly Keywords _optOut = Keywords.Parse(options.OptOutKeywords);
    private readonly Keywords _optIn = Keywords.Parse(options.OptInKeywords);

    public OptOutChange? Classify(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.FromMe || message.Type != "text" || message.Chat != message.Sender || !IsPerson(message.Chat))
        {
            return null;
        }
        var phone = PhoneOf(message.Sender.EndsWith("@lid", StringComparison.Ordinal) && message.SenderAlt is { } alt && IsPhoneJid(alt) ? alt : message.Sender);
        return _optOut.Match(message.Text) is { } stop ? new OptOutChange(phone, stop, OptIn: false)
            : _optIn.Match(message.Text) is { } start ? new OptOutChange(phone, start, OptIn: true)
            : null;
    }

    /// <summary><c>+digits</c> for a phone-number JID (<c>digits@s.whatsapp.net</c>), else the JID itself (a LID, a group).</summary>
    public static string PhoneOf(string jid)
    {
        ArgumentNullException.ThrowIfNull(jid);
        return IsPhoneJid(jid) ? "+" + jid[..jid.IndexOf('@', StringComparison.Ordinal)] : jid;
    }

    /// <summary>A person's chat (a number or a LID), not a group, broadcast list, status or newsletter.</summary>
    public static bool IsPerson(string jid) => IsPhoneJid(jid) || jid.EndsWith("@lid", StringComparison.Ordinal);

    private static bool IsPhoneJid(string jid) => jid.EndsWith("@s.whatsapp.net", StringComparison.Ordinal) && !jid.Contains(':', StringComparison.Ordinal);
}
