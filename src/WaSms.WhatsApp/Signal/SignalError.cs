namespace WaSms.WhatsApp.Signal;

/// <summary>Why a Signal operation failed; decides the retry receipt's reason and what is stored.</summary>
public enum SignalError
{
    /// <summary>The bytes are not a valid Signal message (protobuf, lengths, keys).</summary>
    InvalidMessage,

    /// <summary>Version byte other than 3.</summary>
    UnsupportedVersion,

    /// <summary>No session (or no session whose chain matches) for a <c>msg</c>.</summary>
    NoSession,

    /// <summary>The MAC did not verify in any session of the record.</summary>
    BadMac,

    /// <summary>The message key was already used: a duplicate, not a failure to retry.</summary>
    DuplicateMessage,

    /// <summary>More than 2,000 messages ahead of the chain.</summary>
    TooFarInFuture,

    /// <summary>A <c>pkmsg</c> names a one-time prekey we do not have.</summary>
    InvalidPreKeyId,

    /// <summary>A <c>pkmsg</c> names a signed prekey we do not have.</summary>
    MissingSignedPreKey,

    /// <summary>An XEdDSA signature (signed prekey, sender-key message) did not verify.</summary>
    InvalidSignature,

    /// <summary>No sender key for the group message's sender or key id.</summary>
    NoSenderKey,

    /// <summary>A public key is not 32 bytes (or 33 with the 0x05 prefix).</summary>
    InvalidKey,

    /// <summary>The WhatsApp padding of a decrypted plaintext is invalid.</summary>
    InvalidPadding,
}
