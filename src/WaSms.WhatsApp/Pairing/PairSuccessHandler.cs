using System.Security.Cryptography;
using Google.Protobuf;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// Verifies the server's <c>&lt;iq&gt;&lt;pair-success&gt;</c> and signs this device's identity
/// (docs/whatsapp.md §4.4; whatsmeow pair.go <c>handlePair</c>, Baileys rc14
/// lib/Utils/validate-connection.js <c>configureSuccessfulPairing</c>):
/// HMAC-SHA256 with the ADV secret over <c>[06 05 if HOSTED] ‖ details</c>; the account signature
/// over <c>06 00 (06 05 if the device type is HOSTED) ‖ deviceDetails ‖ identityPub</c>; then our
/// device signature over <c>06 01 ‖ deviceDetails ‖ identityPub ‖ accountSignatureKey</c>.
/// </summary>
public static class PairSuccessHandler
{
    /// <summary>Checks <paramref name="iq"/> against <paramref name="credentials"/> and builds the reply.</summary>
    /// <exception cref="PairingException">The stanza is malformed, or the HMAC or account signature does not verify.</exception>
    public static PairingResult Process(Node iq, WaCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(iq);
        ArgumentNullException.ThrowIfNull(credentials);
        var id = iq.Attr("id") ?? throw new PairingException(PairingError.Malformed, "The pair-success iq has no id.");
        if (!iq.TryGetChild("pair-success", out var success))
        {
            throw new PairingException(PairingError.Malformed, "The iq has no <pair-success> child.");
        }

        if (!success.TryGetBytesChild("device-identity", out var identityBytes))
        {
            throw new PairingException(PairingError.Malformed, "The pair-success has no <device-identity> bytes.");
        }

        if (!success.TryGetChild("device", out var device) || device.JidAttr("jid") is not { } jid)
        {
            throw new PairingException(PairingError.Malformed, "The pair-success has no <device jid=…>.");
        }

        var lid = device.JidAttr("lid");
        var platform = success.TryGetChild("platform", out var platformNode) ? platformNode.Attr("name") : null;
        var businessName = success.TryGetChild("biz", out var biz) ? biz.Attr("name") : null;

        ADVSignedDeviceIdentityHMAC container;
        ADVSignedDeviceIdentity account;
        ADVDeviceIdentity deviceIdentity;
        try
        {
            container = ADVSignedDeviceIdentityHMAC.Parser.ParseFrom(identityBytes);
            VerifyHmac(container, credentials.AdvSecret.Span);
            account = ADVSignedDeviceIdentity.Parser.ParseFrom(container.Details);
            deviceIdentity = ADVDeviceIdentity.Parser.ParseFrom(account.Details);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new PairingException(PairingError.Malformed, "The device identity is not a valid protobuf.", ex);
        }

        var accountKey = account.AccountSignatureKey.Memory;
        if (accountKey.Length != Curve25519.KeySize || account.AccountSignature.Length != XEdDsa.SignatureSize)
        {
            throw new PairingException(PairingError.Malformed, "The account signature key or signature has the wrong length.");
        }

        var identityPub = credentials.IdentityKey.PublicKey;
        var accountPrefix = deviceIdentity.DeviceType == ADVEncryptionType.Hosted ? AdvSignaturePrefix.HostedAccount.ToArray() : AdvSignaturePrefix.Account.ToArray();
        var accountMessage = AdvSignaturePrefix.Concat(accountPrefix, account.Details.Memory, identityPub);
        if (!XEdDsa.Verify(accountKey.Span, accountMessage, account.AccountSignature.Span))
        {
            throw new PairingException(PairingError.SignatureMismatch, "The account signature does not verify against our identity key.");
        }

        var deviceMessage = AdvSignaturePrefix.Concat(AdvSignaturePrefix.Device.ToArray(), account.Details.Memory, identityPub, accountKey);
        account.DeviceSignature = ByteString.CopyFrom(XEdDsa.Sign(credentials.IdentityKey.PrivateKey.Span, deviceMessage));

        var stored = account.ToByteArray();
        var sent = account.Clone();
        sent.ClearAccountSignatureKey();
        var reply = NodeHelpers.Make(
            "iq",
            [("to", Jid.WhatsAppServer), ("type", "result"), ("id", id)],
            NodeHelpers.Make(
                "pair-device-sign",
                [],
                NodeHelpers.MakeBytes(
                    "device-identity",
                    [("key-index", deviceIdentity.KeyIndex.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                    sent.ToByteArray())));

        var updated = credentials with
        {
            Jid = jid,
            Lid = lid,
            Account = stored,
            AccountSignatureKey = accountKey.ToArray(),
            Platform = platform,
            BusinessName = businessName,
        };
        return new PairingResult(updated, reply);
    }

    /// <summary>The error iq answering a refused pair-success (whatsmeow <c>sendPairError</c>): 401 hmac-mismatch or signature-mismatch, 500 otherwise.</summary>
    public static Node ErrorReply(string id, PairingError error)
    {
        var (code, text) = error switch
        {
            PairingError.HmacMismatch => ("401", "hmac-mismatch"),
            PairingError.SignatureMismatch => ("401", "signature-mismatch"),
            _ => ("500", "internal-error"),
        };
        return NodeHelpers.Make(
            "iq",
            [("to", Jid.WhatsAppServer), ("type", "error"), ("id", id)],
            NodeHelpers.Make("error", ("code", code), ("text", text)));
    }

    private static void VerifyHmac(ADVSignedDeviceIdentityHMAC container, ReadOnlySpan<byte> advSecret)
    {
        var message = container.AccountType == ADVEncryptionType.Hosted
            ? AdvSignaturePrefix.Concat(AdvSignaturePrefix.HostedAccount.ToArray(), container.Details.Memory)
            : container.Details.ToByteArray();
        var expected = HMACSHA256.HashData(advSecret, message);
        if (!CryptographicOperations.FixedTimeEquals(expected, container.Hmac.Span))
        {
            throw new PairingException(PairingError.HmacMismatch, "The pair-success HMAC does not match our ADV secret.");
        }
    }
}
