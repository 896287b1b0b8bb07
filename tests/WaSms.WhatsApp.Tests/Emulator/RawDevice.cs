using System.Threading.Channels;
using Google.Protobuf;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Emulator;

/// <summary>
/// A bare client for driving the emulator stanza by stanza: a companion registered on an account
/// (as the phone's pair-success would leave it), that logs in over the real WebSocket + Noise
/// transport and then sends and reads raw nodes. Every wait is bounded by <see cref="Timeout"/>.
/// </summary>
internal sealed class RawDevice : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly WaEmulator _emulator;
    private readonly CancellationTokenSource _life = new(Timeout);
    private readonly List<Node> _pending = [];
    private Channel<Node> _inbound = Channel.CreateUnbounded<Node>();
    private NoiseSocket? _socket;
    private Task _receiving = Task.CompletedTask;
    private int _ids;

    private RawDevice(WaEmulator emulator, WaCredentials credentials)
    {
        _emulator = emulator;
        Credentials = credentials;
    }

    public WaCredentials Credentials { get; }

    /// <summary>The device JID by phone number.</summary>
    public Jid Jid => Credentials.Jid!;

    /// <summary>The device JID by LID.</summary>
    public Jid Lid => Credentials.Lid!;

    public CancellationToken Token => _life.Token;

    /// <summary>Registers a new companion of <paramref name="phoneNumber"/>'s account and logs it in (not yet reading).</summary>
    public static async Task<RawDevice> LinkAsync(WaEmulator emulator, string phoneNumber, bool connect = true)
    {
        var account = emulator.Accounts.GetOrCreate(phoneNumber);
        var id = (ushort)account.NextDeviceId();
        var credentials = WaCredentials.Generate() with
        {
            Jid = new Jid(phoneNumber, JidServer.WhatsApp, id),
            Lid = new Jid(account.LidUser, JidServer.Lid, id),
        };
        var linked = new EmulatedDevice(credentials.Jid, credentials.Lid, credentials.NoiseKey.PublicKey, credentials.IdentityKey.PublicKey, account.IdentityKey.PublicKey);
        await emulator.RegisterAsync(account, id, linked, CancellationToken.None);
        var device = new RawDevice(emulator, credentials);
        if (connect)
        {
            await device.ConnectAsync();
        }

        return device;
    }

    /// <summary>Logs in and waits for <c>success</c>; what follows is read by the Wait methods.</summary>
    public async Task ConnectAsync()
    {
        var options = new WaClientOptions { ServerUri = _emulator.Uri, Trust = CertificateTrust.FromHex(_emulator.TrustedRootKeyHex) };
        var transport = await WebSocketTransport.ConnectAsync(_emulator.Uri, Token);
        var frames = FrameSocket.ForClient(transport);
        var initiator = new NoiseInitiator(Credentials.NoiseKey, new CertificateChainVerifier(options.Trust));
        var result = await initiator.HandshakeAsync(frames, ClientPayloadFactory.Login(Credentials, options).ToByteArray(), Token);
        _socket = result.Socket;
        _inbound = Channel.CreateUnbounded<Node>();
        _pending.Clear();
        var socket = _socket;
        var inbound = _inbound;
        _receiving = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await inbound.Writer.WriteAsync(NodeDecoder.DecodeFrame(await socket.ReceiveFrameAsync(Token)), Token);
                }
            }
            catch (Exception ex)
            {
                inbound.Writer.TryComplete(ex);
            }
        });
        var success = await WaitForAsync(n => n.Tag is "success" or "failure");
        Assert.Equal("success", success.Tag);
    }

    /// <summary>The one-time prekeys uploaded so far, by id (private halves, for decrypting a pkmsg).</summary>
    public Dictionary<uint, Curve25519KeyPair> PreKeys { get; } = [];

    /// <summary>Uploads the registration, identity, signed prekey and <paramref name="count"/> one-time prekeys (ids 1…count).</summary>
    public async Task UploadPreKeysAsync(int count)
    {
        foreach (var id in Enumerable.Range(1, count))
        {
            PreKeys[(uint)id] = Curve25519KeyPair.Generate();
        }

        var keys = PreKeys.Select(k => (k.Key, k.Value.PublicKey)).ToList();
        var upload = new PreKeyUpload(Credentials.RegistrationId, Credentials.IdentityKey.PublicKey, keys, Credentials.SignedPreKeyId, Credentials.SignedPreKey.PublicKey, Credentials.SignedPreKeySignature);
        var result = await IqAsync(NodeHelpers.Make("iq", [("xmlns", "encrypt"), ("type", "set"), ("to", Jid.WhatsAppServer)], upload.ToNodes()));
        Assert.Equal("result", result.Attr("type"));
    }

    public async Task SendAsync(Node node) => await _socket!.SendFrameAsync(NodeEncoder.EncodeFrame(node), Token);

    /// <summary>Sends an iq (an id is added) and waits for the answer with the same id.</summary>
    public async Task<Node> IqAsync(Node iq)
    {
        var id = "raw-" + Interlocked.Increment(ref _ids);
        await SendAsync(new Node(iq.Tag, [.. iq.Attributes, new NodeAttribute("id", id)], iq.Content));
        return await WaitForAsync(n => n.Tag == "iq" && n.Attr("id") == id);
    }

    /// <summary>The first node received (and not yet taken) that matches, taken.</summary>
    public async Task<Node> WaitForAsync(Func<Node, bool> match)
    {
        while (true)
        {
            var index = _pending.FindIndex(n => match(n));
            if (index >= 0)
            {
                var found = _pending[index];
                _pending.RemoveAt(index);
                return found;
            }

            _pending.Add(await _inbound.Reader.ReadAsync(Token));
        }
    }

    /// <summary>Everything received and not yet taken.</summary>
    public IReadOnlyList<Node> TakePending()
    {
        while (_inbound.Reader.TryRead(out var node))
        {
            _pending.Add(node);
        }

        var all = _pending.ToList();
        _pending.Clear();
        return all;
    }

    /// <summary>The next node of <paramref name="tag"/> received (and not yet taken), taken.</summary>
    public Task<Node> NextAsync(string tag) => WaitForAsync(n => n.Tag == tag);

    /// <summary>Closes the connection (the emulator sees the device go offline).</summary>
    public async Task DisconnectAsync()
    {
        if (_socket is { } socket)
        {
            _socket = null;
            await socket.CloseAsync(CancellationToken.None);
            await socket.DisposeAsync();
            await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        _life.Dispose();
    }
}
