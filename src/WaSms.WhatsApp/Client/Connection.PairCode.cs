using System.Security.Cryptography;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Client;

/// <summary>Pairing by phone number (whatsmeow pair-code.go; docs/whatsapp.md §9).</summary>
internal sealed partial class Connection
{
    private volatile PendingPairingCode? _pendingCode;

    /// <summary>True once this connection got its pair-device refs; false when it ended first or is a login.</summary>
    public async Task<bool> WaitForRefsAsync(CancellationToken cancellationToken)
    {
        if (Credentials.IsPaired)
        {
            throw new InvalidOperationException("This device is already paired.");
        }

        return await _refsSeen.Task.WaitAsync(cancellationToken);
    }

    /// <summary>docs/whatsapp.md §9.3 steps 1–2: make a code, wrap a fresh ephemeral key with it, send companion_hello.</summary>
    public async Task<string> RequestPairingCodeAsync(string phone, CancellationToken cancellationToken)
    {
        var code = PairingCode.Generate();
        var ephemeral = Curve25519KeyPair.Generate();
        var wrapped = PairingCodeCrypto.WrapEphemeralKey(code, ephemeral.PublicKey.Span);
        var jid = new Jid(phone, JidServer.WhatsApp);
        var reply = await SendIqAsync(
            "md",
            NodeHelpers.Make(
                "link_code_companion_reg",
                [("jid", jid), ("stage", "companion_hello"), ("should_show_push_notification", "true")],
                NodeHelpers.MakeBytes("link_code_pairing_wrapped_companion_ephemeral_pub", [], wrapped),
                NodeHelpers.MakeBytes("companion_server_auth_key_pub", [], Credentials.NoiseKey.PublicKey.Span),
                new Node("companion_platform_id", null, NodeContent.FromText(Options.PairingCodePlatformId)),
                new Node("companion_platform_display", null, NodeContent.FromText(Options.PairingCodePlatformDisplay)),
                NodeHelpers.MakeBytes("link_code_pairing_nonce", [], [0])),
            cancellationToken);
        if (reply.Attr("type") != "result")
        {
            throw new PairingCodeException(PairingCodeError.ServerRefused, $"The server refused the pairing-code request: {ErrorText(reply)}.");
        }

        if (!reply.TryGetChild("link_code_companion_reg", out var reg) || !reg.TryGetBytesChild("link_code_pairing_ref", out var reference))
        {
            throw new PairingCodeException(PairingCodeError.Malformed, "The server's answer has no <link_code_companion_reg><link_code_pairing_ref>.");
        }

        _pendingCode = new PendingPairingCode(jid, ephemeral, code, reference);
        var shown = PairingCode.Format(code);
        _client.Raise(new PairingCodeIssued(shown));
        return shown;
    }

    /// <summary>docs/whatsapp.md §9.3 step 3: answer primary_hello with companion_finish; failures become <see cref="PairingCodeFailed"/>.</summary>
    private async Task CompanionFinishAsync(Node reg, CancellationToken cancellationToken)
    {
        try
        {
            var pending = _pendingCode
                ?? throw new PairingCodeException(PairingCodeError.RefMismatch, "A primary_hello arrived but no pairing code is pending.");
            if (!reg.TryGetBytesChild("link_code_pairing_ref", out var reference) || !reference.AsSpan().SequenceEqual(pending.Ref))
            {
                throw new PairingCodeException(PairingCodeError.RefMismatch, "The primary_hello is for another pairing ref.");
            }

            if (!reg.TryGetBytesChild("link_code_pairing_wrapped_primary_ephemeral_pub", out var wrappedPrimary)
                || !reg.TryGetBytesChild("primary_identity_pub", out var primaryIdentity) || primaryIdentity.Length != Curve25519.KeySize)
            {
                throw new PairingCodeException(PairingCodeError.Malformed, "The primary_hello lacks the wrapped ephemeral key or a 32-byte primary identity key.");
            }

            var primaryEphemeral = PairingCodeCrypto.UnwrapEphemeralKey(pending.Code, wrappedPrimary);
            var ephemeralShared = PairingCodeCrypto.Agree(pending.Ephemeral.PrivateKey.Span, primaryEphemeral);
            var advRandom = RandomNumberGenerator.GetBytes(32);
            var identity = Credentials.IdentityKey;
            var bundle = PairingCodeCrypto.SealKeyBundle(ephemeralShared, identity.PublicKey.Span, primaryIdentity, advRandom);
            var identityShared = PairingCodeCrypto.Agree(identity.PrivateKey.Span, primaryIdentity);

            // The pair-success that follows is HMACed with this secret; it is saved with the pairing.
            Credentials = Credentials with { AdvSecret = PairingCodeCrypto.DeriveAdvSecret(ephemeralShared, identityShared, advRandom) };
            _pendingCode = null;
            var reply = await SendIqAsync(
                "md",
                NodeHelpers.Make(
                    "link_code_companion_reg",
                    [("jid", pending.Jid), ("stage", "companion_finish")],
                    NodeHelpers.MakeBytes("link_code_pairing_wrapped_key_bundle", [], bundle),
                    NodeHelpers.MakeBytes("companion_identity_public", [], identity.PublicKey.Span),
                    NodeHelpers.MakeBytes("link_code_pairing_ref", [], reference)),
                cancellationToken);
            if (reply.Attr("type") != "result")
            {
                throw new PairingCodeException(PairingCodeError.ServerRefused, $"The server refused companion_finish: {ErrorText(reply)}.");
            }
        }
        catch (PairingCodeException ex)
        {
            _client.Raise(new PairingCodeFailed(ex.Error, ex.Message));
        }
        catch (Exception ex) when (ex is WaSocketException or TimeoutException or OperationCanceledException)
        {
            // The connection ended; its outcome says why.
        }
    }

    /// <summary>A pair-code request the server accepted: what <c>primary_hello</c> needs (whatsmeow <c>phoneLinkingCache</c>).</summary>
    private sealed record PendingPairingCode(Jid Jid, Curve25519KeyPair Ephemeral, string Code, byte[] Ref);
}
