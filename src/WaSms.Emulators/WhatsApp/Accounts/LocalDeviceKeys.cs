using System.Security.Cryptography;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// The private keys of a device the emulator plays itself (a phone, an emulated contact): identity,
/// registration id, signed prekey and one-time prekeys. Their public halves are published to the
/// server's <see cref="DeviceKeys"/> exactly as a client's upload would be.
/// </summary>
internal sealed class LocalDeviceKeys : ILocalPreKeys
{
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, Curve25519KeyPair> _preKeys = [];
    private readonly Curve25519KeyPair _signedPreKey;
    private readonly byte[] _signedPreKeySignature;
    private uint _nextPreKeyId = 1;

    public LocalDeviceKeys(Curve25519KeyPair identityKey)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        // 14 bits plus one, as Baileys makes registration ids.
        Identity = new SignalIdentity(identityKey, (uint)RandomNumberGenerator.GetInt32(16384) + 1);
        _signedPreKey = Curve25519KeyPair.Generate();
        _signedPreKeySignature = WaCredentials.SignSignedPreKey(identityKey, _signedPreKey.PublicKey.Span);
    }

    /// <summary>The signed prekey's id.</summary>
    public const uint SignedPreKeyId = 1;

    public SignalIdentity Identity { get; }

    /// <summary>Makes <paramref name="count"/> new one-time prekeys and returns the upload that publishes them.</summary>
    public PreKeyUpload NewUpload(int count)
    {
        var published = new List<(uint, ReadOnlyMemory<byte>)>(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                var pair = Curve25519KeyPair.Generate();
                var id = _nextPreKeyId++;
                _preKeys[id] = pair;
                published.Add((id, pair.PublicKey));
            }
        }

        return new PreKeyUpload(
            Identity.RegistrationId, Identity.IdentityKey.PublicKey, published, SignedPreKeyId,
            _signedPreKey.PublicKey, _signedPreKeySignature);
    }

    /// <inheritdoc />
    public Curve25519KeyPair? SignedPreKey(uint id) => id == SignedPreKeyId ? _signedPreKey : null;

    /// <inheritdoc />
    public Curve25519KeyPair? PreKey(uint id)
    {
        lock (_gate)
        {
            return _preKeys.GetValueOrDefault(id);
        }
    }

    /// <summary>Forgets a one-time prekey a session consumed (it must not be used twice).</summary>
    public void Consume(uint id)
    {
        lock (_gate)
        {
            _preKeys.Remove(id);
        }
    }
}
