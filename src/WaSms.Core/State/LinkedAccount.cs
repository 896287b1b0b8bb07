namespace WaSms.Core.State;

/// <summary>The WhatsApp account this gateway is linked to.</summary>
/// <param name="Jid">Device JID, e.g. <c>15551234567:3@s.whatsapp.net</c>.</param>
/// <param name="Lid">Device LID, e.g. <c>123456789:3@lid</c>, when known.</param>
/// <param name="PushName">The account's display name, when known.</param>
public sealed record LinkedAccount(string Jid, string? Lid = null, string? PushName = null)
{
    /// <summary>The phone number with all but the last four digits hidden, for screens and logs.</summary>
    public string MaskedNumber
    {
        get
        {
            var user = Jid.Split('@')[0].Split(':')[0].Split('.')[0];
            return user.Length <= 4 ? "+" + user : "+" + new string('•', user.Length - 4) + user[^4..];
        }
    }
}
