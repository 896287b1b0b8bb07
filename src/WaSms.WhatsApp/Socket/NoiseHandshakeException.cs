namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Thrown by <see cref="NoiseHandshake"/>, <see cref="NoiseInitiator"/> and
/// the emulators' <c>NoiseResponder</c> when the XX handshake cannot complete. A closed connection during
/// the handshake surfaces as <see cref="SocketClosedException"/> or <see cref="FrameException"/> instead.
/// </summary>
public class NoiseHandshakeException(NoiseHandshakeError error, string message, Exception? innerException = null)
    : WaSocketException<NoiseHandshakeError>(error, message, innerException);
