using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// The <c>&lt;iq xmlns="encrypt" type="set"&gt;</c> prekey upload (docs/whatsapp.md §6.2; whatsmeow
/// prekeys.go <c>uploadPreKeys</c>, Baileys Utils/signal.ts <c>getNextPreKeysNode</c>): registration id,
/// key type 5, identity key, the one-time prekeys and the signed prekey with its signature.
/// </summary>
/// <param name="RegistrationId">The Signal registration id.</param>
/// <param name="IdentityKey">The 32-byte identity public key.</param>
/// <param name="PreKeys">The one-time prekeys: id and 32-byte public key.</param>
/// <param name="SignedPreKeyId">The signed prekey's id.</param>
/// <param name="SignedPreKey">Its 32-byte public key.</param>
/// <param name="SignedPreKeySignature">XEdDSA by the identity key over <c>05 ‖ signedPreKey</c>.</param>
public sealed record PreKeyUpload(
    uint RegistrationId,
    ReadOnlyMemory<byte> IdentityKey,
    IReadOnlyList<(uint Id, ReadOnlyMemory<byte> PublicKey)> PreKeys,
    uint SignedPreKeyId,
    ReadOnlyMemory<byte> SignedPreKey,
    ReadOnlyMemory<byte> SignedPreKeySignature)
{
    /// <summary>Below this many prekeys on the server, upload more (whatsmeow <c>MinPreKeyCount</c>, Baileys <c>MIN_PREKEY_COUNT</c>).</summary>
    public const int MinServerCount = 5;

    /// <summary>The first upload of a new device (whatsmeow and Baileys both send 812).</summary>
    public const int InitialCount = 812;

    /// <summary>Later top-ups (whatsmeow <c>WantedPreKeyCount</c>).</summary>
    public const int TopUpCount = 50;

    /// <summary>The upload for <paramref name="credentials"/> and <paramref name="preKeys"/>.</summary>
    public static PreKeyUpload For(WaCredentials credentials, IReadOnlyList<PreKey> preKeys)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(preKeys);
        return new PreKeyUpload(
            credentials.RegistrationId,
            credentials.IdentityKey.PublicKey,
            [.. preKeys.Select(k => (k.Id, k.KeyPair.PublicKey))],
            credentials.SignedPreKeyId,
            credentials.SignedPreKey.PublicKey,
            credentials.SignedPreKeySignature);
    }

    /// <summary>The iq's children, in the order both reference clients send them.</summary>
    public Node[] ToNodes()
    {
        var registration = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(registration, RegistrationId);
        return
        [
            NodeHelpers.MakeBytes("registration", [], registration),
            NodeHelpers.MakeBytes("type", [], [ClientPayloadFactory.KeyTypeDjb]),
            NodeHelpers.MakeBytes("identity", [], IdentityKey.Span),
            NodeHelpers.Make("list", [], [.. PreKeys.Select(k => KeyNode("key", k.Id, k.PublicKey.Span))]),
            KeyNode("skey", SignedPreKeyId, SignedPreKey.Span, SignedPreKeySignature.Span),
        ];
    }

    /// <summary>Reads an upload iq, checking every length and the signed-prekey signature.</summary>
    /// <returns>False with <paramref name="problem"/> naming what is wrong.</returns>
    public static bool TryParse(Node iq, [NotNullWhen(true)] out PreKeyUpload? upload, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(iq);
        upload = null;
        if (!iq.TryGetBytesChild("registration", out var registration) || registration.Length != 4)
        {
            problem = "<registration> is not 4 bytes";
            return false;
        }

        if (!iq.TryGetBytesChild("type", out var type) || type is not [ClientPayloadFactory.KeyTypeDjb])
        {
            problem = "<type> is not 05";
            return false;
        }

        if (!iq.TryGetBytesChild("identity", out var identity) || identity.Length != Curve25519.KeySize)
        {
            problem = "<identity> is not a 32-byte key";
            return false;
        }

        if (!iq.TryGetChild("list", out var list))
        {
            problem = "<list> missing";
            return false;
        }

        var keys = new List<(uint, ReadOnlyMemory<byte>)>();
        foreach (var key in list.Content.Nodes)
        {
            if (key.Tag != "key" || !TryReadKey(key, out var id, out var value))
            {
                problem = $"<list> has a bad <{key.Tag}> (want <key> with a 3-byte <id> and a 32-byte <value>)";
                return false;
            }

            keys.Add((id, value));
        }

        if (!iq.TryGetChild("skey", out var skey) || !TryReadKey(skey, out var signedId, out var signedKey)
            || !skey.TryGetBytesChild("signature", out var signature) || signature.Length != 64)
        {
            problem = "<skey> lacks a 3-byte <id>, a 32-byte <value> or a 64-byte <signature>";
            return false;
        }

        if (!XEdDsa.Verify(identity, [ClientPayloadFactory.KeyTypeDjb, .. signedKey], signature))
        {
            problem = "<skey> signature does not verify with <identity>";
            return false;
        }

        upload = new PreKeyUpload(BinaryPrimitives.ReadUInt32BigEndian(registration), identity, keys, signedId, signedKey, signature);
        problem = null;
        return true;
    }

    /// <summary>A <c>&lt;key&gt;</c>/<c>&lt;skey&gt;</c> child (<see cref="PreKeyNodes.KeyNode"/>; kept here for callers of the client folder).</summary>
    internal static Node KeyNode(string tag, uint id, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signature = default) =>
        PreKeyNodes.KeyNode(tag, id, publicKey, signature);

    /// <summary>Reads a <c>&lt;key&gt;</c>/<c>&lt;skey&gt;</c> child (<see cref="PreKeyNodes.TryReadKey"/>).</summary>
    internal static bool TryReadKey(Node key, out uint id, out byte[] value) => PreKeyNodes.TryReadKey(key, out id, out value);
}
