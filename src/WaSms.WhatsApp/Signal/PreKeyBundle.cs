namespace WaSms.WhatsApp.Signal;

/// <summary>
/// A device's published keys as the server hands them out (<c>iq xmlns="encrypt"</c> get): what a
/// sender needs to start a session without the device being online (X3DH, docs/protocol/signal.md §3).
/// Keys are the raw 32-byte X25519 public keys (no <c>0x05</c> prefix).
/// </summary>
/// <param name="RegistrationId">The device's registration id (any 32-bit value).</param>
/// <param name="DeviceId">The device id the bundle belongs to.</param>
/// <param name="IdentityKey">The device's identity public key.</param>
/// <param name="SignedPreKeyId">Id of the signed prekey.</param>
/// <param name="SignedPreKey">The signed prekey's public key.</param>
/// <param name="SignedPreKeySignature">XEdDSA by the identity key over <c>05 ‖ SignedPreKey</c> (64 bytes).</param>
/// <param name="PreKeyId">Id of the one-time prekey, or null when the server had none left.</param>
/// <param name="PreKey">The one-time prekey's public key, or empty.</param>
public sealed record PreKeyBundle(
    uint RegistrationId,
    uint DeviceId,
    ReadOnlyMemory<byte> IdentityKey,
    uint SignedPreKeyId,
    ReadOnlyMemory<byte> SignedPreKey,
    ReadOnlyMemory<byte> SignedPreKeySignature,
    uint? PreKeyId,
    ReadOnlyMemory<byte> PreKey);
