using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Tests.Pairing;

/// <summary>Builds a pair-success iq the way the phone and server do (docs/whatsapp.md §4.4; signed by the emulators' <see cref="AdvDeviceSigner"/>), with knobs to break it.</summary>
internal sealed class PairSuccessBuilder
{
    public Curve25519KeyPair AccountKey { get; } = Curve25519KeyPair.Generate();

    public ADVEncryptionType HmacAccountType { get; set; } = ADVEncryptionType.E2Ee;

    public ADVEncryptionType DeviceType { get; set; } = ADVEncryptionType.E2Ee;

    public bool CorruptHmac { get; set; }

    public bool CorruptSignature { get; set; }

    public uint KeyIndex { get; set; } = 3;

    public byte[] Details { get; private set; } = [];

    public Node Build(ReadOnlySpan<byte> identityPublicKey, ReadOnlySpan<byte> advSecret)
    {
        var signer = new AdvDeviceSigner(AccountKey) { HmacAccountType = HmacAccountType, CorruptHmac = CorruptHmac, CorruptAccountSignature = CorruptSignature };
        var signed = signer.Sign(
            new ADVDeviceIdentity { RawId = 1234, Timestamp = 1_700_000_000, KeyIndex = KeyIndex, AccountType = HmacAccountType, DeviceType = DeviceType },
            identityPublicKey,
            advSecret);
        Details = signed.Details;
        var container = signed.Container;
        return new Node(
            "iq",
            [new("from", Jid.WhatsAppServer), new("type", "set"), new("id", "ps-1"), new("t", "1700000000")],
            [
                new Node(
                    "pair-success",
                    null,
                    [
                        new Node("device-identity", null, NodeContent.FromBytes(container)),
                        new Node("platform", [new("name", "android")]),
                        new Node("device", [new("jid", new Jid("15550001111", JidServer.WhatsApp, 3)), new("lid", new Jid("99887766", JidServer.Lid, 3))]),
                        new Node("biz", [new("name", "Shop")]),
                    ]),
            ]);
    }
}
