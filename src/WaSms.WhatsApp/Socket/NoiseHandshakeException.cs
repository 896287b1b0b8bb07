namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Thrown by <see cref="NoiseHandshake"/>, <see cref="NoiseInitiator"/> and
/// the emulators' <c>NoiseResponder</c> when the XX handshake cannot complete. A closed connection during
/// the handshake surfaces as <see cref="SocketClosedException"/> or <see cref="FrameException"/> instead.
/// </summary>
public class NoiseHandshakeException : WaSocketException
{
    /// <summary>Creates the exception for a reason.</summary>
    public NoiseHandshakeException(NoiseHandshakeError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception for a reason with its cause.</summary>
    public NoiseHandshakeException(NoiseHandshakeError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Which step failed.</summary>
    public NoiseHandshakeError Error { get; }
}
