namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// A pairing failure that carries its reason as an enum (<see cref="Error"/>): the client answers
/// the server or reports the link attempt by it.
/// </summary>
public abstract class PairingFailureException<TError>(TError error, string message, Exception? innerException)
    : Exception(message, innerException)
    where TError : struct, Enum
{
    /// <summary>Which check or step failed.</summary>
    public TError Error { get; } = error;
}
