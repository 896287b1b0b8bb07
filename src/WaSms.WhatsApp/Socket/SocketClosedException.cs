namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Thrown by a transport (and so by <see cref="FrameSocket"/> and <see cref="NoiseSocket"/>) when
/// the connection is closed, by the peer or locally, between frames.
/// </summary>
public sealed class SocketClosedException : WaSocketException
{
    /// <summary>Creates the exception with a default message.</summary>
    public SocketClosedException()
        : base("The connection is closed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SocketClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public SocketClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
