using Google.Protobuf;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// A contact's (or our phone's) device that really encrypts to the client under test with the Signal
/// code: X3DH from the client's published bundle, then the ratchet; it can also read what the client
/// encrypts back, which turns its next message from <c>pkmsg</c> into <c>msg</c>.
/// </summary>
internal sealed class RemoteDevice(Jid jid)
{
    private readonly SignalIdentity _identity = new(Curve25519KeyPair.Generate(), 4242);
    private readonly SessionRecord _session = new();
    private readonly SenderKeyRecord _senderKey = new();

    public Jid Jid { get; } = jid;

    public ReadOnlyMemory<byte> IdentityKey => _identity.IdentityKey.PublicKey;

    /// <summary>Starts the session from the client's bundle: its signed prekey and one of its one-time prekeys.</summary>
    public Task StartSessionAsync(ReceiveSession client) => StartSessionAsync(client.PreKeys, client.Credentials, client.Token);

    /// <summary>Starts the session from the bundle of <paramref name="credentials"/> and one prekey of <paramref name="preKeys"/>.</summary>
    public async Task StartSessionAsync(IPreKeyStore preKeys, WaCredentials credentials, CancellationToken cancellationToken)
    {
        var preKey = (await preKeys.GetOrCreateUnuploadedAsync(1, cancellationToken))[0];
        await preKeys.MarkUploadedAsync([preKey.Id], cancellationToken);
        SessionBuilder.InitFromBundle(_session, _identity, new PreKeyBundle(
            credentials.RegistrationId,
            ReceiveSession.OwnJid.Device!.Value,
            credentials.IdentityKey.PublicKey,
            credentials.SignedPreKeyId,
            credentials.SignedPreKey.PublicKey,
            credentials.SignedPreKeySignature,
            preKey.Id,
            preKey.KeyPair.PublicKey));
    }

    /// <summary>An <c>&lt;enc&gt;</c> carrying <paramref name="message"/>, padded as WhatsApp does.</summary>
    public Node Encrypt(Message message) => EncryptRaw(message.ToByteArray());

    /// <summary>An <c>&lt;enc&gt;</c> carrying <paramref name="plaintext"/> as it is (padded here).</summary>
    public Node EncryptRaw(byte[] plaintext)
    {
        var (type, ciphertext) = SessionCipher.Encrypt(_session, _identity, MessagePadding.Pad(plaintext));
        return ReceiveSession.Enc(type, ciphertext);
    }

    /// <summary>A pairwise <c>&lt;enc&gt;</c> carrying only this device's sender-key distribution for <paramref name="group"/>.</summary>
    public Node SenderKeyDistribution(Jid group) => Encrypt(new Message
    {
        SenderKeyDistributionMessage = new SenderKeyDistributionMessage
        {
            GroupId = group.ToString(),
            AxolotlSenderKeyDistributionMessage = ByteString.CopyFrom(GroupSessionBuilder.CreateDistribution(_senderKey)),
        },
    });

    /// <summary>An <c>&lt;enc type="skmsg"&gt;</c> carrying <paramref name="message"/> under this device's sender key (made first if needed).</summary>
    public Node EncryptGroup(Message message)
    {
        if (_senderKey.IsEmpty)
        {
            GroupSessionBuilder.CreateDistribution(_senderKey);
        }

        return NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "skmsg")], GroupCipher.Encrypt(_senderKey, MessagePadding.Pad(message.ToByteArray())));
    }

    /// <summary>Reads a message the client encrypted with its stored session for <paramref name="address"/> (so our side has seen a reply).</summary>
    public async Task ReceiveReplyAsync(ReceiveSession client, SignalAddress address)
    {
        var stored = await client.Signal.LoadSessionsAsync([address], client.Token);
        var ours = SessionRecord.Deserialize(stored[address]);
        var ownIdentity = new SignalIdentity(client.Credentials.IdentityKey, client.Credentials.RegistrationId);
        var (type, ciphertext) = SessionCipher.Encrypt(ours, ownIdentity, MessagePadding.Pad(new Message { Conversation = "reply" }.ToByteArray()));
        var changes = new SignalChanges();
        changes.Sessions[address] = ours.Serialize();
        await client.Signal.CommitAsync(changes, client.Token);
        SessionCipher.Decrypt(_session, _identity, new NoPreKeys(), type, ciphertext);
    }

    private sealed class NoPreKeys : ILocalPreKeys
    {
        public Curve25519KeyPair? SignedPreKey(uint id) => null;

        public Curve25519KeyPair? PreKey(uint id) => null;
    }
}
