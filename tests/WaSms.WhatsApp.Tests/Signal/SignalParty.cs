using System.Security.Cryptography;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Tests.Signal;

/// <summary>One device in a test: identity, a signed prekey, one-time prekeys and its records per peer.</summary>
internal sealed class SignalParty : ILocalPreKeys
{
    private readonly Dictionary<uint, Curve25519KeyPair> _preKeys = [];
    private readonly Dictionary<uint, Curve25519KeyPair> _signedPreKeys = [];
    private uint _nextPreKeyId = 1;

    public SignalParty(uint registrationId = 0)
    {
        Identity = new SignalIdentity(Curve25519KeyPair.Generate(), registrationId == 0 ? (uint)RandomNumberGenerator.GetInt32(1, 0x3fff) : registrationId);
        SignedPreKeyId = 7;
        _signedPreKeys[SignedPreKeyId] = Curve25519KeyPair.Generate();
    }

    public SignalIdentity Identity { get; }

    public uint SignedPreKeyId { get; }

    public SessionRecord Record { get; set; } = new();

    public ReadOnlyMemory<byte> IdentityPublic => Identity.IdentityKey.PublicKey;

    /// <summary>A bundle as the server would hand it out, with a fresh one-time prekey unless told not to.</summary>
    public PreKeyBundle Bundle(bool withOneTimePreKey = true)
    {
        var signed = _signedPreKeys[SignedPreKeyId];
        var signature = XEdDsa.Sign(Identity.IdentityKey.PrivateKey.Span, [0x05, .. signed.PublicKey.Span]);
        uint? id = null;
        ReadOnlyMemory<byte> preKey = ReadOnlyMemory<byte>.Empty;
        if (withOneTimePreKey)
        {
            id = _nextPreKeyId++;
            var pair = Curve25519KeyPair.Generate();
            _preKeys[id.Value] = pair;
            preKey = pair.PublicKey;
        }

        return new PreKeyBundle(Identity.RegistrationId, 0, IdentityPublic, SignedPreKeyId, signed.PublicKey, signature, id, preKey);
    }

    public Curve25519KeyPair? SignedPreKey(uint id) => _signedPreKeys.GetValueOrDefault(id);

    public Curve25519KeyPair? PreKey(uint id) => _preKeys.GetValueOrDefault(id);

    public void RemovePreKey(uint id) => _preKeys.Remove(id);

    public (string Type, byte[] Bytes) Encrypt(string text) =>
        SessionCipher.Encrypt(Record, Identity, System.Text.Encoding.UTF8.GetBytes(text));

    public string Decrypt((string Type, byte[] Bytes) message)
    {
        var result = SessionCipher.Decrypt(Record, Identity, this, message.Type, message.Bytes);
        if (result.UsedPreKeyId is { } used)
        {
            RemovePreKey(used);
        }

        return System.Text.Encoding.UTF8.GetString(result.Plaintext);
    }
}
