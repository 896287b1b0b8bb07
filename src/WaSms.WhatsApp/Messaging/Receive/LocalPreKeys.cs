using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// The private prekeys one <c>pkmsg</c> names, loaded before the (synchronous) cipher runs: our
/// signed prekey from the credentials and the one-time prekey from the <see cref="IPreKeyStore"/>.
/// The credentials keep a single signed prekey (it is never rotated yet), so an older id is unknown.
/// </summary>
internal sealed class LocalPreKeys(WaCredentials credentials, PreKey? preKey) : ILocalPreKeys
{
    /// <summary>
    /// Loads what <paramref name="pkmsg"/> names (<see cref="PreKeyWhisperMessage.Peek"/>), unless
    /// <paramref name="record"/> already holds the session its base key names: the cipher then uses that
    /// session and no prekey (every message of a sender who has not seen our answer yet, e.g. a whole
    /// offline backlog), so the store is not asked.
    /// </summary>
    /// <exception cref="SignalException">The pkmsg is malformed.</exception>
    public static async Task<LocalPreKeys> ForAsync(byte[] pkmsg, SessionRecord record, WaCredentials credentials, IPreKeyStore store, CancellationToken cancellationToken)
    {
        var (preKeyId, _, _, _, baseKey) = PreKeyWhisperMessage.Peek(pkmsg);
        var preKey = preKeyId is { } id && record.IndexOf(baseKey.Span) < 0 ? await store.GetAsync(id, cancellationToken) : null;
        return new LocalPreKeys(credentials, preKey);
    }

    public Curve25519KeyPair? SignedPreKey(uint id) => id == credentials.SignedPreKeyId ? credentials.SignedPreKey : null;

    public Curve25519KeyPair? PreKey(uint id) => preKey is { } key && key.Id == id ? key.KeyPair : null;
}
