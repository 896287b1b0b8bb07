namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Thrown by <see cref="FrameSocket"/> when the length-prefixed stream is malformed: a frame over
/// the size limit (sending or receiving), a frame cut off by the end of the connection, or a bad
/// connection header on the server side. After a receive-side error the socket is unusable.
/// </summary>
public sealed class FrameException(FrameError error, string message, Exception? innerException = null)
    : WaSocketException<FrameError>(error, message, innerException);
