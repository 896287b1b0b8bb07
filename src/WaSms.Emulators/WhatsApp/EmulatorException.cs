namespace WaSms.Emulators.WhatsApp;

/// <summary>
/// Thrown by the emulator's <see cref="PhoneSimulator"/> when a scan cannot go through: the QR is
/// not a WhatsApp one, its ref is unknown or expired, its keys do not match the connection, or the
/// device refused or answered the pair-success wrongly.
/// </summary>
public sealed class EmulatorException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EmulatorException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public EmulatorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public EmulatorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
