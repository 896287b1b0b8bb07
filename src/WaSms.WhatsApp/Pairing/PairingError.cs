namespace WaSms.WhatsApp.Pairing;

/// <summary>Why a pair-success was refused (docs/whatsapp.md §4.4).</summary>
public enum PairingError
{
    /// <summary>A required child, attribute or protobuf field is missing or malformed.</summary>
    Malformed,

    /// <summary>The HMAC over the details does not match our ADV secret (answered with 401 <c>hmac-mismatch</c>).</summary>
    HmacMismatch,

    /// <summary>The account signature does not verify against our identity key (answered with 401 <c>signature-mismatch</c>).</summary>
    SignatureMismatch,
}
