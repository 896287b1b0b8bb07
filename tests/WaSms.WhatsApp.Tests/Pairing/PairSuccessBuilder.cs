using System.Security.Cryptography;
using Google.Protobuf;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Tests.Pairing;

/// <summary>Builds a pair-success iq the way the phone and server do (docs/whatsapp.md §4.4), with knobs to break it.</summary>
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
        Details = new ADVDeviceIdentity { RawId = 1234, Timestamp = 1_700_000_000, KeyIndex = KeyIndex, AccountType = HmacAccountType, DeviceType = DeviceType }.ToByteArray();
        byte[] prefix = DeviceType == ADVEncryptionType.Hosted ? [6, 5] : [6, 0];
        var signature = XEdDsa.Sign(AccountKey.PrivateKey.Span, [.. prefix, .. Details, .. identityPublicKey]);
        if (CorruptSignature)
        {
            signature[10] ^= 0x08;
        }

        var signed = new ADVSignedDeviceIdentity
        {
            Details = ByteString.CopyFrom(Details),
            AccountSignatureKey = ByteString.CopyFrom(AccountKey.PublicKey.Span),
            AccountSignature = ByteString.CopyFrom(signature),
        }.ToByteArray();
        byte[] hmacInput = HmacAccountType == ADVEncryptionType.Hosted ? [6, 5, .. signed] : signed;
        var hmac = HMACSHA256.HashData(advSecret, hmacInput);
        if (CorruptHmac)
        {
            hmac[31] ^= 0x80;
        }

        var container = new ADVSignedDeviceIdentityHMAC { Details = ByteString.CopyFrom(signed), Hmac = ByteString.CopyFrom(hmac), AccountType = HmacAccountType };
        return new Node(
            "iq",
            [new("from", Jid.WhatsAppServer), new("type", "set"), new("id", "ps-1"), new("t", "1700000000")],
            [
                new Node(
                    "pair-success",
                    null,
                    [
                        new Node("device-identity", null, NodeContent.FromBytes(container.ToByteArray())),
                        new Node("platform", [new("name", "android")]),
                        new Node("device", [new("jid", new Jid("15550001111", JidServer.WhatsApp, 3)), new("lid", new Jid("99887766", JidServer.Lid, 3))]),
                        new Node("biz", [new("name", "Shop")]),
                    ]),
            ]);
    }
}
