using System.Text.RegularExpressions;
using WaSms.Core.State;

namespace WaSms.Health.Mqtt;

/// <summary>
/// Last line of defence for "no phone numbers, message text or secrets on MQTT": payloads carry no
/// account, message or credential fields at all; free text (the state's reason) additionally has
/// digit runs that could be a phone number, masked numbers (<c>+•••••••0123</c>: the last digits
/// still say which account), any 3+ digit piece of the linked account's number and its identifiers
/// replaced, and every payload is checked for the known secret values before it leaves.
/// </summary>
internal static partial class PayloadRedactor
{
    public const string Mask = "[redacted]";

    [GeneratedRegex(@"\+?\d(?:[\s\-.()]*\d){4,}", RegexOptions.CultureInvariant)]
    private static partial Regex DigitRun();

    /// <summary>A number masked for people (<c>LinkedAccount.MaskedNumber</c>): the visible digits go too.</summary>
    [GeneratedRegex(@"\+?[\u2022\u00b7*]+\s?\d+", RegexOptions.CultureInvariant)]
    private static partial Regex MaskedNumber();

    [GeneratedRegex(@"\d{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex ShortDigitRun();

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

    /// <summary>
    /// Free text for a payload: forbidden values, masked numbers, digit runs (5+ digits) and any run
    /// of 3+ digits that occurs in a forbidden number (the account's phone number or LID) masked.
    /// </summary>
    public static string Text(string text, IReadOnlyList<string> forbidden)
    {
        var numbers = forbidden.Where(v => v.All(char.IsAsciiDigit)).ToList();
        text = DigitRun().Replace(MaskedNumber().Replace(Values(text, forbidden), Mask), Mask);
        return numbers.Count == 0
            ? text
            : ShortDigitRun().Replace(text, m => numbers.Any(n => n.Contains(m.Value, StringComparison.Ordinal)) ? Mask : m.Value);
    }

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
