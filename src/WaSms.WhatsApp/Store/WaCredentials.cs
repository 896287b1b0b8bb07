using System.Buffers.Binary;
using System.Security.Cryptography;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Store;

/// <summary>
/// Everything a linked device must keep between runs (docs/whatsapp.md §4.4, whatsmeow
/// store/store.go <c>Device</c>): the keys made at registration, and, once paired, the account.
/// <see cref="Jid"/> is null until pairing succeeds; with it the client logs in instead of registering.
/// Saved and loaded as a whole through <see cref="IWaCredentialStore"/>.
/// </summary>
/// <param name="NoiseKey">The long-lived Noise static key (its public half is in the QR).</param>
/// <param name="IdentityKey">The Signal identity key (its public half is in the QR and signs the device identity).</param>
/// <param name="SignedPreKey">The signed prekey sent at registration.</param>
/// <param name="SignedPreKeyId">Its 24-bit id (1 at first).</param>
/// <param name="SignedPreKeySignature">XEdDSA by the identity key over <c>05 ‖ signedPreKey.pub</c>.</param>
/// <param name="RegistrationId">The Signal registration id.</param>
/// <param name="AdvSecret">The 32-byte ADV secret shown in the QR; the key of the pair-success HMAC.</param>
/// <param name="Jid">The device's phone-number JID (<c>number:device@s.whatsapp.net</c>), once paired.</param>
/// <param name="Lid">The device's LID (<c>lid:device@lid</c>), once known.</param>
/// <param name="Account">The serialised <c>ADVSignedDeviceIdentity</c> (with the account signature key and our device signature).</param>
/// <param name="AccountSignatureKey">The phone's identity key, trusted for the primary device.</param>
/// <param name="Platform">The phone's platform from pair-success, e.g. <c>android</c>.</param>
/// <param name="BusinessName">The business name from pair-success, if any.</param>
public sealed record WaCredentials(
    Curve25519KeyPair NoiseKey,
    Curve25519KeyPair IdentityKey,
    Curve25519KeyPair SignedPreKey,
    uint SignedPreKeyId,
    ReadOnlyMemory<byte> SignedPreKeySignature,
    uint RegistrationId,
    ReadOnlyMemory<byte> AdvSecret,
    Jid? Jid = null,
    Jid? Lid = null,
    ReadOnlyMemory<byte> Account = default,
    ReadOnlyMemory<byte> AccountSignatureKey = default,
    string? Platform = null,
    string? BusinessName = null)
{
    /// <summary>Length of the ADV secret.</summary>
    public const int AdvSecretSize = 32;

    /// <summary>True once pairing succeeded (the client logs in instead of registering).</summary>
    public bool IsPaired => Jid is not null;

    /// <summary>
    /// Fresh, unpaired credentials: new keys, signed prekey id 1, a random registration id
    /// (14 bits as Baileys makes them; whatsmeow uses 32) and a random ADV secret.
    /// </summary>
    public static WaCredentials Generate()
    {
        var identity = Curve25519KeyPair.Generate();
        var signedPreKey = Curve25519KeyPair.Generate();
        Span<byte> registration = stackalloc byte[4];
        RandomNumberGenerator.Fill(registration);
        var registrationId = (BinaryPrimitives.ReadUInt32BigEndian(registration) & 16383) + 1;
        return new WaCredentials(
            Curve25519KeyPair.Generate(),
            identity,
            signedPreKey,
            1,
            SignSignedPreKey(identity, signedPreKey.PublicKey.Span),
            registrationId,
            RandomNumberGenerator.GetBytes(AdvSecretSize));
    }

    /// <summary>XEdDSA over <c>05 ‖ pub</c>, the signed-prekey signature (docs/whatsapp.md §2.3).</summary>
    public static byte[] SignSignedPreKey(Curve25519KeyPair identity, ReadOnlySpan<byte> signedPreKeyPublic)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var message = new byte[1 + signedPreKeyPublic.Length];
        message[0] = 0x05;
        signedPreKeyPublic.CopyTo(message.AsSpan(1));
        return XEdDsa.Sign(identity.PrivateKey.Span, message);
    }
}
