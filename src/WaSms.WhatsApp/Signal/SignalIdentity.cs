using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Signal;

/// <summary>Our own side of every session: the identity key pair and the registration id.</summary>
public sealed record SignalIdentity(Curve25519KeyPair IdentityKey, uint RegistrationId);

/// <summary>
/// Our private prekeys a <c>pkmsg</c> may name. The cipher is synchronous and pure; the caller reads
/// the ids with <c>PreKeyWhisperMessage</c> first and loads the keys from the store.
/// </summary>
public interface ILocalPreKeys
{
    /// <summary>Signed prekey <paramref name="id"/>, or null when we do not have it.</summary>
    Curve25519KeyPair? SignedPreKey(uint id);

    /// <summary>One-time prekey <paramref name="id"/>, or null when we do not have it (used up or never made).</summary>
    Curve25519KeyPair? PreKey(uint id);
}
