namespace WaSms.WhatsApp.Binary;

/// <summary>
/// NIBBLE_8 and HEX_8 packing: two characters per byte, high nibble first; an odd length sets
/// bit 7 of the length byte and pads with 0xF. Alphabets in docs/protocol/binary-nodes.md §4.
/// </summary>
internal static class PackedString
{
    /// <summary>The pad nibble after the last character of an odd-length string.</summary>
    public const int Pad = 0xF;

    /// <summary>1..127 characters, all from <c>0-9 - .</c>.</summary>
    public static bool IsNibble(string text)
    {
        if (text.Length is 0 or > BinaryTag.PackedMax)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is not ((>= '0' and <= '9') or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>1..127 characters, all from <c>0-9 A-F</c> (upper case only, as both encoders do).</summary>
    public static bool IsHex(string text)
    {
        if (text.Length is 0 or > BinaryTag.PackedMax)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'A' and <= 'F')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Nibble code of a character that <see cref="IsNibble"/> accepted.</summary>
    public static int NibbleCode(char c) => c switch
    {
        '-' => 10,
        '.' => 11,
        _ => c - '0',
    };

    /// <summary>Hex code of a character that <see cref="IsHex"/> accepted.</summary>
    public static int HexCode(char c) => c <= '9' ? c - '0' : c - 'A' + 10;

    /// <summary>The character for a NIBBLE_8 code, or '\0' for 12..15 (not characters).</summary>
    public static char NibbleChar(int code) => code switch
    {
        <= 9 => (char)('0' + code),
        10 => '-',
        11 => '.',
        _ => '\0',
    };

    /// <summary>The character for a HEX_8 code (0..15).</summary>
    public static char HexChar(int code) => code <= 9 ? (char)('0' + code) : (char)('A' + code - 10);
}
