namespace WaSms.WhatsApp.Signal;

/// <summary>A Signal operation failed for <see cref="Error"/>; the message says what in one line, never key bytes.</summary>
public sealed class SignalException : Exception
{
    public SignalException(SignalError error, string message)
        : base(message) => Error = error;

    public SignalException(SignalError error, string message, Exception inner)
        : base(message, inner) => Error = error;

    public SignalError Error { get; }
}
