namespace WaSms.WhatsApp.Pairing;

/// <summary>Pairing by phone-number code failed; <see cref="Error"/> says how.</summary>
public sealed class PairingCodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PairingCodeException(PairingCodeError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception with a cause.</summary>
    public PairingCodeException(PairingCodeError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Which step failed.</summary>
    public PairingCodeError Error { get; }
}
