namespace WaSms.WhatsApp.Binary;

/// <summary>
/// Malformed WhatsApp binary data, or a node that cannot be put on the wire.
/// Thrown by <see cref="NodeDecoder"/> and <see cref="FramePayload"/> for every malformed input
/// (never an index or overflow error), and by <see cref="NodeEncoder"/> when a node exceeds what the
/// format can express. The message names what was wrong and, for input, the byte offset.
/// </summary>
public sealed class WaProtocolException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public WaProtocolException()
        : base("Malformed WhatsApp binary data.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WaProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WaProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for malformed input at <paramref name="offset"/>.</summary>
    /// <param name="message">What was wrong; it should already name the offset.</param>
    /// <param name="offset">Byte offset in the input where the problem was found.</param>
    public WaProtocolException(string message, int offset)
        : base(message)
    {
        Offset = offset;
    }

    /// <summary>Byte offset of the problem in the decoded input, when there is one.</summary>
    public int? Offset { get; }
}
