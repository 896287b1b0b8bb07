namespace WaSms.WhatsApp.Binary;

/// <summary>
/// Hex-to-JSON and JSON-to-hex for the CLI (<c>wasms-gateway wa decode|encode</c>). The hex is a frame
/// payload: the flag byte, then the node (docs/protocol/binary-nodes.md §1); the JSON is the
/// <see cref="NodeJson"/> shape.
/// </summary>
public static class NodeDiagnostics
{
    /// <summary>Decodes a frame payload given as hex (whitespace ignored) into node JSON.</summary>
    /// <exception cref="FormatException">The text is not hex.</exception>
    /// <exception cref="WaProtocolException">The bytes are not a valid frame payload.</exception>
    public static string Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return NodeJson.ToJson(NodeDecoder.DecodeFrame(ParseHex(hex)));
    }

    /// <summary>Encodes node JSON into a frame payload (flag byte 0, then the node) as lower-case hex.</summary>
    /// <exception cref="FormatException">The text is not node JSON.</exception>
    /// <exception cref="WaProtocolException">The node exceeds a limit of the format.</exception>
    public static string Encode(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Convert.ToHexStringLower(NodeEncoder.EncodeFrame(NodeJson.FromJson(json)));
    }

    private static byte[] ParseHex(string text)
    {
        var digits = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            int value = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => throw new FormatException($"Character '{c}' at position {i} is not a hex digit."),
            };
            digits.Add((byte)value);
        }

        if (digits.Count % 2 != 0)
        {
            throw new FormatException($"Hex input has an odd number of digits ({digits.Count}).");
        }

        byte[] bytes = new byte[digits.Count / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((digits[2 * i] << 4) | digits[(2 * i) + 1]);
        }

        return bytes;
    }
}
