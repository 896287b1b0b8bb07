namespace WaSms.WhatsApp.Pairing;

/// <summary>Why pairing by phone-number code failed (docs/whatsapp.md §9).</summary>
public enum PairingCodeError
{
    /// <summary>The phone number is not digits in international form, longer than 6 digits, not starting with 0.</summary>
    InvalidPhoneNumber,

    /// <summary>The code is not 8 characters of the linking alphabet.</summary>
    InvalidCode,

    /// <summary>A node or wrapped value is missing or has the wrong length.</summary>
    Malformed,

    /// <summary>A <c>primary_hello</c> arrived for a ref we did not get, or with no code pending.</summary>
    RefMismatch,

    /// <summary>
    /// The key bundle did not decrypt (AES-GCM tag mismatch) or names other keys: the two sides used
    /// different codes, so their ephemeral keys and shared secrets differ.
    /// </summary>
    KeyBundleMismatch,

    /// <summary>The server answered a <c>link_code_companion_reg</c> iq with an error.</summary>
    ServerRefused,
}
