using System.Security.Cryptography;
using System.Text;

namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// The 8-character "link with phone number" code: 5 random bytes in base32 without padding over the
/// alphabet <c>123456789ABCDEFGHJKLMNPQRSTVWXYZ</c> (whatsmeow pair-code.go <c>linkingBase32</c>;
/// Baileys <c>bytesToCrockford</c>). Users see it as <c>XXXX-XXXX</c>. docs/whatsapp.md §9.
/// </summary>
public static class PairingCode
{
    /// <summary>The 32 symbols, in base32 value order (no 0, I, O, U).</summary>
    public const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";

    /// <summary>Characters in a code (without the dash).</summary>
    public const int Length = 8;

    /// <summary>Random bytes encoded into a code.</summary>
    public const int RandomBytes = 5;

    /// <summary>A fresh random code, 8 characters without the dash.</summary>
    public static string Generate() => Encode(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary>Encodes 5 bytes as 8 characters, 5 bits each, most significant first (RFC 4648 base32 bit order).</summary>
    /// <exception cref="ArgumentException">Not 5 bytes.</exception>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != RandomBytes)
        {
            throw new ArgumentException($"A pairing code encodes {RandomBytes} bytes, not {bytes.Length}.", nameof(bytes));
        }

        ulong bits = 0;
        foreach (var b in bytes)
        {
            bits = (bits << 8) | b;
        }

        var chars = new char[Length];
        for (var i = 0; i < Length; i++)
        {
            chars[i] = Alphabet[(int)((bits >> (35 - (5 * i))) & 0x1F)];
        }

        return new string(chars);
    }

    /// <summary>The code as users see it: <c>XXXX-XXXX</c>.</summary>
    public static string Format(string code)
    {
        var normalized = Normalize(code);
        return string.Concat(normalized.AsSpan(0, 4), "-", normalized.AsSpan(4));
    }

    /// <summary>
    /// The 8 characters of a code as typed (dash and spaces dropped, letters upper-cased), which is
    /// the PBKDF2 password.
    /// </summary>
    /// <exception cref="PairingCodeException"><see cref="PairingCodeError.InvalidCode"/>.</exception>
    public static string Normalize(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var builder = new StringBuilder(Length);
        foreach (var c in code)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (!Alphabet.Contains(upper, StringComparison.Ordinal))
            {
                throw new PairingCodeException(PairingCodeError.InvalidCode, $"'{c}' is not in the pairing-code alphabet.");
            }

            builder.Append(upper);
        }

        if (builder.Length != Length)
        {
            throw new PairingCodeException(PairingCodeError.InvalidCode, $"A pairing code has {Length} characters, not {builder.Length}.");
        }

        return builder.ToString();
    }

    /// <summary>
    /// The phone number as the <c>jid</c> user: every non-digit dropped (whatsmeow strips them too),
    /// then more than 6 digits and no leading 0 (whatsmeow <c>ErrPhoneNumberTooShort</c>,
    /// <c>ErrPhoneNumberIsNotInternational</c>).
    /// </summary>
    /// <exception cref="PairingCodeException"><see cref="PairingCodeError.InvalidPhoneNumber"/>.</exception>
    public static string NormalizePhoneNumber(string phoneNumber)
    {
        ArgumentNullException.ThrowIfNull(phoneNumber);
        var digits = new string([.. phoneNumber.Where(char.IsAsciiDigit)]);
        if (digits.Length <= 6)
        {
            throw new PairingCodeException(PairingCodeError.InvalidPhoneNumber, "The phone number is too short; give it in international form, e.g. +4915112345678.");
        }

        if (digits[0] == '0')
        {
            throw new PairingCodeException(PairingCodeError.InvalidPhoneNumber, "The phone number must be in international form (country code first, no leading 0).");
        }

        return digits;
    }
}
