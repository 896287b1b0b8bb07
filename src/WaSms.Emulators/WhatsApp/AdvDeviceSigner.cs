using System.Security.Cryptography;
using Google.Protobuf;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Proto;

namespace WaSms.Emulators.WhatsApp;

/// <summary>What the phone signs for a new companion: the details, the account signature and the HMAC'd container of pair-success.</summary>
/// <param name="Details">The serialized <c>ADVDeviceIdentity</c>.</param>
/// <param name="AccountSignature">The account key's XEdDSA signature over prefix ‖ details ‖ device identity key.</param>
/// <param name="Container">The serialized <c>ADVSignedDeviceIdentityHMAC</c> for <c>&lt;device-identity&gt;</c>.</param>
public sealed record AdvSignedDevice(byte[] Details, byte[] AccountSignature, byte[] Container);

/// <summary>
/// The phone's half of linking a companion (docs/whatsapp.md §4.4, §7.2): the account key signs the
/// device's <c>ADVDeviceIdentity</c> (prefix <c>06 00</c>, or <c>06 05</c> for a hosted device), and
/// the ADV secret from the QR or the pairing code HMACs the signed identity (prefixed <c>06 05</c>
/// when the HMAC's account type is HOSTED). Shared by <see cref="PhoneSimulator"/> and the tests
/// that build pair-success by hand; the fault switches break one part each.
/// </summary>
public sealed class AdvDeviceSigner(Curve25519KeyPair accountKey)
{
    /// <summary>The account (phone identity) key.</summary>
    public Curve25519KeyPair AccountKey { get; } = accountKey;

    /// <summary>The HMAC container's account type (HOSTED changes the HMAC prefix).</summary>
    public ADVEncryptionType HmacAccountType { get; set; } = ADVEncryptionType.E2Ee;

    /// <summary>Fault injection: an HMAC that does not match the ADV secret.</summary>
    public bool CorruptHmac { get; set; }

    /// <summary>Fault injection: an account signature that does not verify.</summary>
    public bool CorruptAccountSignature { get; set; }

    /// <summary>Signs <paramref name="details"/> for the device with <paramref name="identityPublicKey"/>.</summary>
    public AdvSignedDevice Sign(ADVDeviceIdentity details, ReadOnlySpan<byte> identityPublicKey, ReadOnlySpan<byte> advSecret)
    {
        ArgumentNullException.ThrowIfNull(details);
        var detailBytes = details.ToByteArray();
        var prefix = details.DeviceType == ADVEncryptionType.Hosted ? AdvSignaturePrefix.HostedAccount : AdvSignaturePrefix.Account;
        var accountSignature = XEdDsa.Sign(AccountKey.PrivateKey.Span, [.. prefix, .. detailBytes, .. identityPublicKey]);
        if (CorruptAccountSignature)
        {
            accountSignature[3] ^= 0x40;
        }

        var signed = new ADVSignedDeviceIdentity
        {
            Details = ByteString.CopyFrom(detailBytes),
            AccountSignatureKey = ByteString.CopyFrom(AccountKey.PublicKey.Span),
            AccountSignature = ByteString.CopyFrom(accountSignature),
        }.ToByteArray();
        byte[] hmacInput = HmacAccountType == ADVEncryptionType.Hosted ? [.. AdvSignaturePrefix.HostedAccount, .. signed] : signed;
        var hmac = HMACSHA256.HashData(advSecret, hmacInput);
        if (CorruptHmac)
        {
            hmac[0] ^= 0x01;
        }

        var container = new ADVSignedDeviceIdentityHMAC
        {
            Details = ByteString.CopyFrom(signed),
            Hmac = ByteString.CopyFrom(hmac),
            AccountType = HmacAccountType,
        };
        return new AdvSignedDevice(detailBytes, accountSignature, container.ToByteArray());
    }
}
