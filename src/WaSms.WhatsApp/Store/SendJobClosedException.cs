namespace WaSms.WhatsApp.Store;

/// <summary>
/// The send job was failed (e.g. expired) between the check that let it go and its attempt: nothing is committed and
/// the stanza must not be written, or a message the platform was told had failed would still arrive.
/// </summary>
public sealed class SendJobClosedException(string messageId)
    : InvalidOperationException($"Send job {messageId} has already failed; not sent");
