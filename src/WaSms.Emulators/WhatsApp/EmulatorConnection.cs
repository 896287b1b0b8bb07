using System.Globalization;
using System.Security.Cryptography;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Proto;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.Emulators.WhatsApp.Groups;
using WaSms.Emulators.WhatsApp.Routing;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp;

/// <summary>
/// The server side of one client connection after the Noise handshake: registration
/// (<c>pair-device</c> refs on WhatsApp's schedule) or login (<c>success</c>/<c>failure</c>), then the
/// iq handlers (docs/whatsapp.md §7).
/// </summary>
internal sealed class EmulatorConnection
{
    private readonly WaEmulator _emulator;
    private readonly NoiseSocket _socket;
    private readonly PendingIqs _waiters = new();
    private long _idCounter;

    public EmulatorConnection(WaEmulator emulator, NoiseSocket socket, ReadOnlyMemory<byte> clientStaticKey, ClientPayload payload)
    {
        _emulator = emulator;
        _socket = socket;
        ClientStaticKey = clientStaticKey;
        Payload = payload;
    }

    public ReadOnlyMemory<byte> ClientStaticKey { get; }

    public ClientPayload Payload { get; }

    /// <summary>The pair-device refs sent on this connection (empty for a login).</summary>
    public IReadOnlyList<string> Refs { get; private set; } = [];

    /// <summary>When the refs were sent.</summary>
    public DateTimeOffset RefsIssuedAt { get; private set; }

    /// <summary>True once this connection logged in with <c>success</c>.</summary>
    public bool IsLoggedIn { get; private set; }

    /// <summary>The device logged in on this connection.</summary>
    public EmulatedDevice? Device => Server?.Linked;

    /// <summary>The server's record of the device logged in on this connection.</summary>
    public ServerDevice? Server { get; private set; }

    /// <summary>The identity key from the registration data.</summary>
    public ReadOnlyMemory<byte> RegisteredIdentity { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Payload.DevicePairingData is { } registration)
            {
                if (!await StartRegistrationAsync(registration, cancellationToken))
                {
                    return;
                }
            }
            else if (Payload.HasUsername)
            {
                if (!await LoginAsync(cancellationToken))
                {
                    return;
                }
            }
            else
            {
                await SendAsync(NodeHelpers.Make("failure", ("reason", "400")), cancellationToken);
                await CloseAsync();
                return;
            }

            if (Server is { } logged)
            {
                await logged.Mailbox.AttachAsync(this, cancellationToken);
            }

            while (true)
            {
                var node = NodeDecoder.DecodeFrame(await _socket.ReceiveFrameAsync(cancellationToken));
                switch (node.Tag)
                {
                    case "iq":
                        await HandleIqAsync(node, cancellationToken);
                        break;
                    case "ack":
                        _emulator.OnAck(node);
                        if (Server is { } acking)
                        {
                            ReceiptRouter.OnAck(acking, node);
                        }

                        break;
                    case "message" when Server is { } sender:
                        await _emulator.Messages.OnMessageAsync(sender, node, cancellationToken);
                        break;
                    case "receipt" when Server is { } receiver:
                        await _emulator.Receipts.OnReceiptAsync(receiver, node, cancellationToken);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WaSocketException or WaProtocolException)
        {
            // The client went away or sent garbage; this connection is over.
        }
        finally
        {
            Server?.Mailbox.Detach(this);
            _waiters.FailAll(new EmulatorException("The connection closed before the device answered."));
        }
    }

    /// <summary>Sends an iq and waits for the result or error with the same id.</summary>
    public async Task<Node> SendIqAsync(Node iq, string id, CancellationToken cancellationToken)
    {
        var answer = _waiters.Add(id);
        await SendAsync(iq, cancellationToken);
        return await answer.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public string NextId() => "emu-" + Interlocked.Increment(ref _idCounter).ToString(CultureInfo.InvariantCulture);

    public ValueTask SendAsync(Node node, CancellationToken cancellationToken) =>
        _socket.SendFrameAsync(
            _emulator.CompressFrames ? FramePayload.Compress(NodeEncoder.Encode(node)) : NodeEncoder.EncodeFrame(node),
            cancellationToken);

    /// <summary>Sends <paramref name="payload"/> as one frame as it is (fault injection).</summary>
    public ValueTask SendRawAsync(byte[] payload, CancellationToken cancellationToken) =>
        _socket.SendFrameAsync(payload, cancellationToken);

    public async Task CloseAsync()
    {
        try
        {
            await _socket.CloseAsync(CancellationToken.None);
        }
        catch (WaSocketException)
        {
            // Already gone.
        }
    }

    private async Task<bool> StartRegistrationAsync(ClientPayload.Types.DevicePairingRegistrationData registration, CancellationToken cancellationToken)
    {
        // docs/whatsapp.md §7.1: check the signed prekey signature before offering refs.
        var signed = new byte[1 + registration.ESkeyVal.Length];
        signed[0] = ClientPayloadFactory.KeyTypeDjb;
        registration.ESkeyVal.Span.CopyTo(signed.AsSpan(1));
        if (registration.EIdent.Length != Curve25519.KeySize || !XEdDsa.Verify(registration.EIdent.Span, signed, registration.ESkeySig.Span))
        {
            await SendAsync(NodeHelpers.Make("failure", ("reason", "400")), cancellationToken);
            await CloseAsync();
            return false;
        }

        RegisteredIdentity = registration.EIdent.ToByteArray();
        var refs = new string[QrRefSchedule.ServerRefCount];
        for (var i = 0; i < refs.Length; i++)
        {
            refs[i] = "2@" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        }

        RefsIssuedAt = _emulator.Time.GetUtcNow();
        Refs = refs;
        var id = NextId();
        var iq = NodeHelpers.Make(
            "iq",
            [("from", Jid.WhatsAppServer), ("type", "set"), ("id", id), ("xmlns", "md")],
            NodeHelpers.Make("pair-device", [], [.. refs.Select(r => new Node("ref", null, NodeContent.FromText(r)))]));
        await SendAsync(iq, cancellationToken);
        return true;
    }

    /// <summary>
    /// docs/whatsapp.md §9: <c>companion_hello</c> is checked as the server would (an unpaired
    /// connection with refs, our Noise key, an 80-byte wrapped key, a <c>Browser (OS)</c> display,
    /// the nonce) and answered with a pairing ref; the phone of that number may then enter the code.
    /// <c>companion_finish</c> goes to the phone that entered it, which answers it.
    /// </summary>
    private async Task HandleCodeRegAsync(Node iq, string id, Node reg, CancellationToken cancellationToken)
    {
        var stage = reg.Attr("stage");
        if (stage == "companion_hello")
        {
            var jid = reg.JidAttr("jid");
            string? problem = null;
            if (Refs.Count == 0 || IsLoggedIn)
            {
                problem = "not a registering connection";
            }
            else if (jid is null || jid.Server != JidServer.WhatsApp || !ulong.TryParse(jid.User, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                problem = "jid is not a phone-number JID";
            }
            else if (!reg.TryGetBytesChild("link_code_pairing_wrapped_companion_ephemeral_pub", out var wrapped) || wrapped.Length != PairingCodeCrypto.WrappedKeySize)
            {
                problem = "wrapped companion ephemeral key is not 80 bytes";
            }
            else if (!reg.TryGetBytesChild("companion_server_auth_key_pub", out var noiseKey) || !noiseKey.AsSpan().SequenceEqual(ClientStaticKey.Span))
            {
                problem = "companion_server_auth_key_pub is not this connection's Noise key";
            }
            else if (!reg.TryGetChild("companion_platform_id", out var platformId) || TextOf(platformId) is not { Length: > 0 })
            {
                problem = "companion_platform_id missing";
            }
            else if (!reg.TryGetChild("companion_platform_display", out var display) || !IsBrowserOs(TextOf(display)))
            {
                problem = "companion_platform_display is not 'Browser (OS)'";
            }
            else if (!reg.TryGetChild("link_code_pairing_nonce", out _))
            {
                problem = "link_code_pairing_nonce missing";
            }
            else
            {
                var reference = System.Text.Encoding.ASCII.GetBytes("emu-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
                _emulator.OfferCodeLink(new PendingCodeLink(jid.User, this, wrapped, reference));
                await SendAsync(
                    NodeHelpers.Make(
                        "iq",
                        [("from", Jid.WhatsAppServer), ("type", "result"), ("id", id)],
                        NodeHelpers.Make("link_code_companion_reg", [], NodeHelpers.MakeBytes("link_code_pairing_ref", [], reference))),
                    cancellationToken);
                return;
            }

            await SendErrorAsync(id, 400, "bad-request: " + problem, cancellationToken);
            return;
        }

        if (stage == "companion_finish" && reg.TryGetBytesChild("link_code_pairing_ref", out var finishRef)
            && _emulator.FindCodeLink(this, finishRef) is { } link && link.Finish.TrySetResult(iq))
        {
            return;
        }

        await SendErrorAsync(id, 400, "bad-request", cancellationToken);
    }

    /// <summary>Answers iq <paramref name="id"/> with <c>&lt;error code text/&gt;</c>.</summary>
    public ValueTask SendErrorAsync(string id, int code, string text, CancellationToken cancellationToken) =>
        SendAsync(
            NodeHelpers.Make(
                "iq",
                [("from", Jid.WhatsAppServer), ("type", "error"), ("id", id)],
                NodeHelpers.Make("error", ("code", code.ToString(CultureInfo.InvariantCulture)), ("text", text))),
            cancellationToken);

    /// <summary>Ends this connection because the same device logged in elsewhere (<c>conflict type="replaced"</c>, docs/whatsapp.md §6).</summary>
    public async Task SendStreamErrorAndCloseAsync(string conflict)
    {
        try
        {
            await SendAsync(NodeHelpers.Make("stream:error", [], NodeHelpers.Make("conflict", ("type", conflict))), CancellationToken.None);
        }
        catch (Exception ex) when (ex is WaSocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        await CloseAsync();
    }

    private static string? TextOf(Node node) =>
        node.Content.Kind == NodeContentKind.Bytes ? System.Text.Encoding.UTF8.GetString(node.Content.Bytes.Span) : null;

    /// <summary>whatsmeow: the display must be <c>Browser (OS)</c>; the emulator checks the shape only.</summary>
    private static bool IsBrowserOs(string? display) =>
        display is { Length: > 4 } d && d.EndsWith(')') && d.IndexOf(" (", StringComparison.Ordinal) is > 0 and var open && open + 2 < d.Length - 1;

    private async Task<bool> LoginAsync(CancellationToken cancellationToken)
    {
        if (_emulator.FailLoginsWith is { } reason)
        {
            await SendAsync(NodeHelpers.Make("failure", ("reason", reason.ToString(CultureInfo.InvariantCulture)), ("location", "emu")), cancellationToken);
            await CloseAsync();
            return false;
        }

        var server = _emulator.FindDevice(Payload.Username, Payload.Device);
        var device = server?.Linked;
        if (device is null || !device.NoisePublicKey.Span.SequenceEqual(ClientStaticKey.Span))
        {
            // An unknown or unlinked device: logged out (docs/whatsapp.md §6).
            await SendAsync(NodeHelpers.Make("failure", ("reason", "401"), ("location", "emu")), cancellationToken);
            await CloseAsync();
            return false;
        }

        var now = _emulator.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Server = server;
        IsLoggedIn = true;
        await SendAsync(
            NodeHelpers.Make("success", ("t", now), ("props", "1"), ("abprops", "1"), ("location", "emu"), ("creation", now), ("lid", device.Lid)),
            cancellationToken);
        return true;
    }

    private async Task HandleIqAsync(Node iq, CancellationToken cancellationToken)
    {
        if (_waiters.TryAnswer(iq))
        {
            return;
        }

        var id = iq.Attr("id") ?? string.Empty;
        var type = iq.Attr("type");

        var result = NodeHelpers.Make("iq", ("from", Jid.WhatsAppServer), ("type", "result"), ("id", id));
        switch (iq.Attr("xmlns"))
        {
            case "w:p" when !_emulator.OnPing():
                break;
            case "w:p":
                await SendAsync(result, cancellationToken);
                break;
            case "passive" when Server is not null && type == "set" && (iq.TryGetChild("active", out _) || iq.TryGetChild("passive", out _)):
                Server.Keys.Active = iq.TryGetChild("active", out _);
                await SendAsync(result, cancellationToken);
                break;
            case "encrypt" when Server is not null && Device is not null && type == "set" && iq.TryGetChild("registration", out _):
                // docs/whatsapp.md §6.2: checked as the server must (lengths, type 5, the paired identity, the skey signature).
                if (!PreKeyUpload.TryParse(iq, out var upload, out var problem))
                {
                    await SendErrorAsync(id, 400, "bad-request: " + problem, cancellationToken);
                }
                else if (!upload.IdentityKey.Span.SequenceEqual(Device.IdentityPublicKey.Span))
                {
                    await SendErrorAsync(id, 400, "bad-request: <identity> is not the paired device's identity key", cancellationToken);
                }
                else
                {
                    Server.Keys.Add(upload);
                    await SendAsync(result, cancellationToken);
                }

                break;
            case "md" when type == "set" && iq.TryGetChild("link_code_companion_reg", out var codeReg):
                await HandleCodeRegAsync(iq, id, codeReg, cancellationToken);
                break;
            case "md" when type == "set" && iq.TryGetChild("remove-companion-device", out var remove):
                // docs/whatsapp.md §6.1: the device unlinks itself (or another device of its account); forget it.
                if (remove.JidAttr("jid") is { } removed && Server is { } self && _emulator.Accounts.Find(removed) == self.Account)
                {
                    await _emulator.UnregisterAsync(removed, cancellationToken);
                }

                await SendAsync(result, cancellationToken);
                break;
            case "encrypt" when Server is not null && type == "get" && iq.TryGetChild("key", out _):
                var (bundles, low) = PreKeyFetch.Answer(iq, _emulator.Accounts);
                await SendAsync(bundles, cancellationToken);
                foreach (var (device, left) in low)
                {
                    await device.Mailbox.DeliverAsync(_emulator.PreKeyCountNotification(left), cancellationToken);
                }

                break;
            case "usync" when Server is not null && type == "get":
                await SendAsync(UsyncQuery.Answer(iq, _emulator.Accounts, _emulator.Time.GetUtcNow().ToUnixTimeSeconds()), cancellationToken);
                break;
            case "w:g2" when Server is not null && type == "get":
                await SendAsync(GroupQuery.Answer(iq, Server.Account, _emulator.Groups), cancellationToken);
                break;
            case "encrypt" when Server is not null && type == "get" && iq.TryGetChild("count", out _):
                var count = Server.Keys.Count.ToString(CultureInfo.InvariantCulture);
                await SendAsync(
                    NodeHelpers.Make("iq", [("from", Jid.WhatsAppServer), ("type", "result"), ("id", id)], NodeHelpers.Make("count", ("value", count))),
                    cancellationToken);
                break;
            default:
                await SendAsync(
                    NodeHelpers.Make(
                        "iq",
                        [("from", Jid.WhatsAppServer), ("type", "error"), ("id", id)],
                        NodeHelpers.Make("error", ("code", "501"), ("text", "feature-not-implemented"))),
                    cancellationToken);
                break;
        }
    }
}
