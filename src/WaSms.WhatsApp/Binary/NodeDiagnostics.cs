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

    /// <summary>
    /// Most characters <see cref="Decode"/> or <see cref="Encode"/> take: twice the largest payload
    /// as hex, plus room for whitespace. Callers reading a stream stop here instead of reading it all.
    /// </summary>
    public static int MaxInputChars => (2 * NodeDecoderLimits.Default.MaxInputSize) + (64 * 1024);

    private static byte[] ParseHex(string text)
    {
        // Two passes (check and count, then fill) so the only allocation is the payload itself.
        int digits = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            if (!char.IsAsciiHexDigit(c))
            {
                throw new FormatException($"Character '{c}' at position {i} is not a hex digit.");
            }

            digits++;
        }

        if (digits % 2 != 0)
        {
            throw new FormatException($"Hex input has an odd number of digits ({digits}).");
        }

        byte[] bytes = new byte[digits / 2];
        int written = 0;
        int high = -1;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            int value = c switch
            {
                <= '9' => c - '0',
                <= 'F' => c - 'A' + 10,
                _ => c - 'a' + 10,
            };
            if (high < 0)
            {
                high = value;
            }
            else
            {
                bytes[written++] = (byte)((high << 4) | value);
                high = -1;
            }
        }

        return bytes;
    }
}
