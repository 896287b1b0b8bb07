using System.Text.RegularExpressions;
using WaSms.Core.State;

namespace WaSms.Health.Mqtt;

/// <summary>
/// Last line of defence for "no phone numbers, message text or secrets on MQTT": payloads carry no
/// account, message or credential fields at all; free text (the state's reason) additionally has
/// digit runs that could be a phone number and the linked account's identifiers replaced, and every
/// payload is checked for the known secret values before it leaves.
/// </summary>
internal static partial class PayloadRedactor
{
    public const string Mask = "[redacted]";

    [GeneratedRegex(@"\+?\d(?:[\s\-.()]*\d){4,}", RegexOptions.CultureInvariant)]
    private static partial Regex DigitRun();

    /// <summary>The account identifiers and secrets that must never appear in any payload.</summary>
    public static IReadOnlyList<string> Forbidden(LinkedAccount? account, IEnumerable<string> secrets)
    {
        var values = new List<string>();
        if (account is not null)
        {
            values.Add(User(account.Jid));
            if (account.Lid is { } lid)
            {
                values.Add(User(lid));
            }
            if (!string.IsNullOrWhiteSpace(account.PushName))
            {
                values.Add(account.PushName.Trim());
            }
        }
        values.AddRange(secrets);
        return [.. values.Where(v => v.Length >= 4).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Free text for a payload: digit runs (5+ digits) and forbidden values masked.</summary>
    public static string Text(string text, IReadOnlyList<string> forbidden) =>
        DigitRun().Replace(Values(text, forbidden), Mask);

    /// <summary>Masks every forbidden value in <paramref name="payload"/>.</summary>
    public static string Values(string payload, IReadOnlyList<string> forbidden)
    {
        foreach (var value in forbidden)
        {
            payload = payload.Replace(value, Mask, StringComparison.OrdinalIgnoreCase);
        }
        return payload;
    }

    private static string User(string jid) => jid.Split('@')[0].Split(':')[0].Split('.')[0];
}
