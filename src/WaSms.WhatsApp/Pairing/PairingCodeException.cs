namespace WaSms.WhatsApp.Pairing;

/// <summary>Pairing by phone-number code failed; <see cref="PairingFailureException{TError}.Error"/> says how.</summary>
public sealed class PairingCodeException(PairingCodeError error, string message, Exception? innerException = null)
    : PairingFailureException<PairingCodeError>(error, message, innerException);
