namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// Thrown by <see cref="PairSuccessHandler.Process"/> when a pair-success does not verify;
/// <see cref="Error"/> says which check failed. The client answers the server with an error iq.
/// </summary>
public sealed class PairingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PairingException(PairingError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception with a cause.</summary>
    public PairingException(PairingError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Which check failed.</summary>
    public PairingError Error { get; }
}
