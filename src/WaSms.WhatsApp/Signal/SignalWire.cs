using Google.Protobuf;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// What the four Signal wire messages share: the version byte <c>0x33</c> and a bounded protobuf
/// body whose parse errors become <see cref="SignalException"/> (docs/protocol/signal.md §5).
/// </summary>
internal static class SignalWire
{
    /// <summary>Version 3 in both nibbles, the only version WhatsApp's libraries write.</summary>
    public const byte Version = 0x33;

    /// <summary>Upper bound of any Signal message we accept: far above a WhatsApp message, far below the board's memory.</summary>
    public const int MaxMessageSize = 1 << 20;

    /// <summary>
    /// Checks size and version byte. libsignal-node rejects a message whose high nibble (message
    /// version) is below 3 or whose low nibble (highest version the sender knows) is above 3.
    /// </summary>
    public static void CheckEnvelope(ReadOnlySpan<byte> data, int minimumSize, string what)
    {
        if (data.Length < minimumSize)
        {
            throw new SignalException(SignalError.InvalidMessage, $"The {what} is too short ({data.Length} bytes).");
        }

        if (data.Length > MaxMessageSize)
        {
            throw new SignalException(SignalError.InvalidMessage, $"The {what} is too large ({data.Length} bytes, at most {MaxMessageSize}).");
        }

        if (data[0] >> 4 < 3 || (data[0] & 0x0F) > 3)
        {
            throw new SignalException(SignalError.UnsupportedVersion, $"The {what} has version byte 0x{data[0]:x2}; only version 3 is supported.");
        }
    }

    /// <summary>Parses a protobuf body; malformed bytes are an invalid message.</summary>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> body, string what)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SignalException(SignalError.InvalidMessage, $"The {what} is not a valid protobuf.", e);
        }
    }

    /// <summary>Parses a stored record (bounded by <see cref="SignalLimits.MaxRecordSize"/>); bad bytes are an invalid message.</summary>
    public static T ParseRecord<T>(MessageParser<T> parser, ReadOnlySpan<byte> bytes, string what)
        where T : IMessage<T>
    {
        if (bytes.Length > SignalLimits.MaxRecordSize)
        {
            throw new SignalException(SignalError.InvalidMessage, $"The {what} is too large ({bytes.Length} bytes).");
        }

        return Parse(parser, bytes, what);
    }

    /// <summary>A protobuf bytes value.</summary>
    public static ByteString Bytes(ReadOnlySpan<byte> b) => ByteString.CopyFrom(b);

    /// <summary><c>0x33 ‖ message</c>, with room for <paramref name="trailer"/> more bytes.</summary>
    public static byte[] Serialize(IMessage message, int trailer)
    {
        int size = message.CalculateSize();
        var bytes = new byte[1 + size + trailer];
        bytes[0] = Version;
        message.WriteTo(bytes.AsSpan(1, size));
        return bytes;
    }

    /// <summary>A required bytes field.</summary>
    public static void Require(bool present, string field, string what)
    {
        if (!present)
        {
            throw new SignalException(SignalError.InvalidMessage, $"The {what} has no {field}.");
        }
    }
}
