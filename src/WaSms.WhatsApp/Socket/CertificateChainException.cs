namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Thrown by <see cref="CertificateChainVerifier.Verify"/> (and so by
/// <see cref="NoiseInitiator"/>) when the server's Noise certificate chain fails a check;
/// <see cref="Check"/> names the check.
/// </summary>
public sealed class CertificateChainException(CertificateChainError check, string message, Exception? innerException = null)
    : NoiseHandshakeException(NoiseHandshakeError.CertificateChainInvalid, message, innerException)
{
    /// <summary>The check that failed.</summary>
    public CertificateChainError Check { get; } = check;

    /// <summary>
    /// For a failed validity check (not yet valid / expired): the notBefore or notAfter the clock
    /// fell outside of, so a caller can tell the customer how far off the clock is at least.
    /// </summary>
    public DateTimeOffset? ValidityLimit { get; init; }

    /// <summary>True when the chain is sound but the local clock is outside its validity: a wrong clock, usually.</summary>
    public bool IsValidityCheck => Check is CertificateChainError.IntermediateNotYetValid or CertificateChainError.IntermediateExpired
        or CertificateChainError.LeafNotYetValid or CertificateChainError.LeafExpired;
}
