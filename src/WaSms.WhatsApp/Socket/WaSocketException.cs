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
    public WaSocketException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
