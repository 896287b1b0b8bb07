using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Proto;

namespace WaSms.Emulators.WhatsApp;

/// <summary>
/// The primary phone of one WhatsApp account, inside a <see cref="WaEmulator"/>: it "scans" a QR
/// string and does what the phone and server do together (docs/whatsapp.md §7.2): signs an
/// <c>ADVDeviceIdentity</c> for the companion with the account key (<c>06 00</c> prefix), HMACs it
/// with the QR's ADV secret, sends <c>pair-success</c>, checks the companion's
/// <c>pair-device-sign</c> (device signature, <c>06 01</c> prefix), remembers the device and sends
/// <c>stream:error 515</c>. <see cref="EnterPairingCodeAsync"/> does the same after the
/// phone-number code exchange instead of a scan (docs/whatsapp.md §9.4).
/// </summary>
public sealed class PhoneSimulator
{
    private readonly WaEmulator _emulator;

    /// <summary>A phone for <paramref name="phoneNumber"/> (digits only) on <paramref name="emulator"/>.</summary>
    public PhoneSimulator(WaEmulator emulator, string phoneNumber, string platform = "android")
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentException.ThrowIfNullOrEmpty(phoneNumber);
        if (!ulong.TryParse(phoneNumber, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException("The phone number is digits only, without '+'.", nameof(phoneNumber));
        }

        _emulator = emulator;
        _account = emulator.Accounts.GetOrCreate(phoneNumber);
        PhoneNumber = phoneNumber;
        Platform = platform;
    }

    private readonly EmulatedAccount _account;

    /// <summary>The account's phone number (digits).</summary>
    public string PhoneNumber { get; }

    /// <summary>The account's LID user part.</summary>
    public string LidUser => _account.LidUser;

    /// <summary>The phone's platform name sent in pair-success.</summary>
    public string Platform { get; }

    /// <summary>The account (phone identity) key that signs linked devices.</summary>
    public Curve25519KeyPair AccountKey => _account.IdentityKey;

    /// <summary>Fault injection: send an HMAC that does not match the QR's ADV secret.</summary>
    public bool CorruptHmac { get; set; }

    /// <summary>Fault injection: send an account signature that does not verify.</summary>
    public bool CorruptAccountSignature { get; set; }

    /// <summary>Scans <paramref name="qr"/> and links the device showing it.</summary>
    /// <returns>The linked device.</returns>
    /// <exception cref="EmulatorException">The QR is not usable, or the device refused or answered wrongly.</exception>
    public async Task<EmulatedDevice> ScanAsync(string qr, CancellationToken cancellationToken)
    {
        if (!PairingQrCode.TryParse(qr, out var code))
        {
            throw new EmulatorException("That is not a WhatsApp linking QR code.");
        }

        var connection = _emulator.FindConnectionByRef(code.Ref, out var index)
            ?? throw new EmulatorException("The QR ref is unknown to the server (no connection is showing it).");
        if (_emulator.Time.GetUtcNow() >= connection.RefsIssuedAt + QrRefSchedule.ExpiresAfter(index))
        {
            throw new EmulatorException("The QR ref has expired.");
        }

        if (!code.NoisePublicKey.Span.SequenceEqual(connection.ClientStaticKey.Span)
            || !code.IdentityPublicKey.Span.SequenceEqual(connection.RegisteredIdentity.Span))
        {
            throw new EmulatorException("The QR keys do not match the connection that received the ref.");
        }

        return await LinkAsync(connection, code.AdvSecret, code.IdentityPublicKey, cancellationToken);
    }

    /// <summary>
    /// Enters a pairing code under Linked devices → Link with phone number (docs/whatsapp.md §9), as
    /// the primary does: takes the newest <c>companion_hello</c> the server holds for this number,
    /// unwraps the companion's ephemeral key with the code, sends <c>primary_hello</c> (its own
    /// ephemeral key wrapped with the code, and the account identity key), opens the companion's key
    /// bundle from <c>companion_finish</c>, checks it names both identity keys, derives the ADV secret
    /// and answers; then it links the device with <c>pair-success</c> and 515 as after a QR scan.
    /// </summary>
    /// <param name="code">The code as shown (<c>XXXX-XXXX</c>; the dash and case do not matter).</param>
    /// <param name="cancellationToken">Cancels the wait for the companion.</param>
    /// <returns>The linked device.</returns>
    /// <exception cref="PairingCodeException">
    /// <see cref="PairingCodeError.InvalidCode"/> for a code outside the alphabet or of the wrong length;
    /// <see cref="PairingCodeError.KeyBundleMismatch"/> when the key bundle does not open (a wrong code), after
    /// answering <c>companion_finish</c> with an error.
    /// </exception>
    /// <exception cref="EmulatorException">No code was requested for this number, or the companion answered wrongly.</exception>
    public async Task<EmulatedDevice> EnterPairingCodeAsync(string code, CancellationToken cancellationToken)
    {
        var typed = PairingCode.Normalize(code);
        var link = _emulator.TakeCodeLink(PhoneNumber)
            ?? throw new EmulatorException($"No device asked for a pairing code for {PhoneNumber}.");
        var connection = link.Connection;
        _emulator.SetCodeLinkInUse(link, true);
        try
        {
            var companionEphemeral = PairingCodeCrypto.UnwrapEphemeralKey(typed, link.WrappedCompanionEphemeral);
            var primaryEphemeral = Curve25519KeyPair.Generate();
            var wrappedPrimary = PairingCodeCrypto.WrapEphemeralKey(typed, primaryEphemeral.PublicKey.Span);
            var now = _emulator.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            await connection.SendAsync(
                NodeHelpers.Make(
                    "notification",
                    [("from", Jid.WhatsAppServer), ("type", "link_code_companion_reg"), ("id", connection.NextId()), ("t", now)],
                    NodeHelpers.Make(
                        "link_code_companion_reg",
                        [("stage", "primary_hello")],
                        NodeHelpers.MakeBytes("link_code_pairing_ref", [], link.Ref),
                        NodeHelpers.MakeBytes("link_code_pairing_wrapped_primary_ephemeral_pub", [], wrappedPrimary),
                        NodeHelpers.MakeBytes("primary_identity_pub", [], AccountKey.PublicKey.Span))),
                cancellationToken);

            var finish = await link.Finish.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            var finishId = finish.Attr("id") ?? string.Empty;
            if (!finish.TryGetChild("link_code_companion_reg", out var reg)
                || !reg.TryGetBytesChild("link_code_pairing_wrapped_key_bundle", out var wrappedBundle)
                || !reg.TryGetBytesChild("companion_identity_public", out var companionIdentity))
            {
                await connection.SendErrorAsync(finishId, 400, "bad-request", cancellationToken);
                throw new EmulatorException("companion_finish lacks the wrapped key bundle or the companion identity.");
            }

            byte[] advSecret;
            try
            {
                var ephemeralShared = PairingCodeCrypto.Agree(primaryEphemeral.PrivateKey.Span, companionEphemeral);
                var bundle = PairingCodeCrypto.OpenKeyBundle(ephemeralShared, wrappedBundle);
                if (!bundle.CompanionIdentity.AsSpan().SequenceEqual(companionIdentity)
                    || !bundle.CompanionIdentity.AsSpan().SequenceEqual(connection.RegisteredIdentity.Span)
                    || !bundle.PrimaryIdentity.AsSpan().SequenceEqual(AccountKey.PublicKey.Span))
                {
                    throw new PairingCodeException(PairingCodeError.KeyBundleMismatch, "The key bundle names other identity keys than the companion registered and the phone holds.");
                }

                var identityShared = PairingCodeCrypto.Agree(AccountKey.PrivateKey.Span, bundle.CompanionIdentity);
                advSecret = PairingCodeCrypto.DeriveAdvSecret(ephemeralShared, identityShared, bundle.AdvRandom);
            }
            catch (PairingCodeException)
            {
                // Emulator choice: WhatsApp's real answer to a bad bundle is not in the public sources.
                await connection.SendErrorAsync(finishId, 401, "not-authorized", cancellationToken);
                throw;
            }

            await connection.SendAsync(NodeHelpers.Make("iq", ("from", Jid.WhatsAppServer), ("type", "result"), ("id", finishId)), cancellationToken);
            return await LinkAsync(connection, advSecret, companionIdentity, cancellationToken);
        }
        finally
        {
            _emulator.SetCodeLinkInUse(link, false);
        }
    }

    /// <summary>The common end of both flows: pair-success with an ADV secret both sides know, the device's signature, 515.</summary>
    private async Task<EmulatedDevice> LinkAsync(EmulatorConnection connection, ReadOnlyMemory<byte> advSecret, ReadOnlyMemory<byte> identityPublicKey, CancellationToken cancellationToken)
    {
        var deviceId = (int)_account.NextDeviceId();
        var now = _emulator.Time.GetUtcNow().ToUnixTimeSeconds();
        var identity = new ADVDeviceIdentity
        {
            RawId = (uint)RandomNumberGenerator.GetInt32(int.MaxValue),
            Timestamp = (ulong)now,
            KeyIndex = (uint)deviceId,
            AccountType = ADVEncryptionType.E2Ee,
            DeviceType = ADVEncryptionType.E2Ee,
        };
        var signer = new AdvDeviceSigner(AccountKey) { CorruptHmac = CorruptHmac, CorruptAccountSignature = CorruptAccountSignature };
        var (details, accountSignature, container) = signer.Sign(identity, identityPublicKey.Span, advSecret.Span);

        var jid = new Jid(PhoneNumber, JidServer.WhatsApp, (ushort)deviceId);
        var lid = new Jid(LidUser, JidServer.Lid, (ushort)deviceId);
        var id = connection.NextId();
        var iq = NodeHelpers.Make(
            "iq",
            [("from", Jid.WhatsAppServer), ("type", "set"), ("id", id), ("t", now.ToString(CultureInfo.InvariantCulture))],
            NodeHelpers.Make(
                "pair-success",
                [],
                NodeHelpers.MakeBytes("device-identity", [], container),
                NodeHelpers.Make("platform", ("name", Platform)),
                NodeHelpers.Make("device", ("jid", jid), ("lid", lid))));

        var reply = await connection.SendIqAsync(iq, id, cancellationToken);
        if (reply.Attr("type") != "result")
        {
            var error = reply.TryGetChild("error", out var errorNode) ? $"{errorNode.Attr("code")} {errorNode.Attr("text")}" : "no error child";
            throw new EmulatorException($"The device refused the pair-success: {error}.");
        }

        VerifyDeviceSign(reply, details, accountSignature, identityPublicKey.Span, (uint)deviceId);
        var device = new EmulatedDevice(jid, lid, connection.ClientStaticKey.ToArray(), identityPublicKey.ToArray(), AccountKey.PublicKey.ToArray());
        await _emulator.RegisterAsync(_account, (uint)deviceId, device, cancellationToken);

        // docs/whatsapp.md §4.1 step 7: the server asks for a restart and closes.
        await connection.SendAsync(NodeHelpers.Make("stream:error", ("code", "515")), cancellationToken);
        await connection.CloseAsync();
        return device;
    }

    private void VerifyDeviceSign(Node reply, byte[] details, byte[] accountSignature, ReadOnlySpan<byte> identityPublicKey, uint keyIndex)
    {
        if (!reply.TryGetChild("pair-device-sign", out var sign) || !sign.TryGetChild("device-identity", out var identityNode)
            || identityNode.Content.Kind != NodeContentKind.Bytes)
        {
            throw new EmulatorException("The pair-success reply has no <pair-device-sign><device-identity>.");
        }

        if (identityNode.Attr("key-index") != keyIndex.ToString(CultureInfo.InvariantCulture))
        {
            throw new EmulatorException($"The key-index is '{identityNode.Attr("key-index")}', expected {keyIndex}.");
        }

        ADVSignedDeviceIdentity answered;
        try
        {
            answered = ADVSignedDeviceIdentity.Parser.ParseFrom(identityNode.Content.Bytes.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new EmulatorException("The device identity in the reply is not a valid protobuf.", ex);
        }

        if (answered.HasAccountSignatureKey)
        {
            throw new EmulatorException("The reply carries the account signature key; pair-device-sign must leave it out.");
        }

        if (!answered.Details.Span.SequenceEqual(details) || !answered.AccountSignature.Span.SequenceEqual(accountSignature))
        {
            throw new EmulatorException("The reply's details or account signature differ from what the phone sent.");
        }

        var message = AdvSignaturePrefix.Concat(AdvSignaturePrefix.Device.ToArray(), details, identityPublicKey.ToArray(), AccountKey.PublicKey);
        if (!XEdDsa.Verify(identityPublicKey, message, answered.DeviceSignature.Span))
        {
            throw new EmulatorException("The device signature does not verify.");
        }
    }
}
