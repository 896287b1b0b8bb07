using System.Text.RegularExpressions;

namespace WaSms.Gateway.Messaging;

/// <summary>
/// Who a text goes to, as callers write it: a phone number in E.164 form (<c>+</c>, country code and
/// number, 8 to 15 digits in all, no leading 0) or a group JID (<c>123…@g.us</c>, old groups
/// <c>creator-time@g.us</c>), turned into the chat JID the client sends to.
/// </summary>
public static partial class Recipient
{
    /// <summary>The chat JID for <paramref name="to"/>: <c>digits@s.whatsapp.net</c> or the group JID itself.</summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is neither form.</exception>
    public static string ToChatJid(string to)
    {
        ArgumentNullException.ThrowIfNull(to);
        var trimmed = to.Trim();
        if (PhoneNumber().IsMatch(trimmed))
        {
            return trimmed[1..] + "@s.whatsapp.net";
        }
        if (GroupJid().IsMatch(trimmed))
        {
            return trimmed;
        }
        throw new ArgumentException(
            $"\"{Shorten(to)}\" is not a recipient: give a phone number with country code (+15555550100) or a group JID (120363012345678901@g.us)", nameof(to));
    }

    /// <summary>At most 40 characters of <paramref name="text"/>, for an error message.</summary>
    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"^[0-9]{5,30}(-[0-9]{5,20})?@g\.us$")]
    private static partial Regex GroupJid();
}
