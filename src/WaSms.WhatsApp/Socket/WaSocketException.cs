namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Base type of every failure raised by the socket layer (framing, Noise, certificate chain).
/// Thrown directly only for rare internal limits, such as an exhausted Noise counter.
/// </summary>
public class WaSocketException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public WaSocketException()
        : base("WhatsApp socket failure.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WaSocketException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WaSocketException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A socket-layer failure that carries its reason as an enum (<see cref="Error"/>), so callers and
/// tests switch on the reason rather than on the message.
/// </summary>
public abstract class WaSocketException<TError>(TError error, string message, Exception? innerException)
    : WaSocketException(message, innerException)
    where TError : struct, Enum
{
    /// <summary>Which check or step failed.</summary>
    public TError Error { get; } = error;
}
