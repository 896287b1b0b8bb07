namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// Thrown by <see cref="PairSuccessHandler.Process"/> when a pair-success does not verify;
/// <see cref="PairingFailureException{TError}.Error"/> says which check failed. The client answers the server with an error iq.
/// </summary>
public sealed class PairingException(PairingError error, string message, Exception? innerException = null)
    : PairingFailureException<PairingError>(error, message, innerException);
