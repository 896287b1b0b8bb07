using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp;

/// <summary>
/// A WhatsApp server on loopback for dev mode and tests: WebSocket <c>/ws/chat</c> (Origin checked),
/// the Noise XX responder with a certificate chain under its own test root (give
/// <see cref="TrustedRootKeyHex"/> to the client), <c>pair-device</c> refs on WhatsApp's schedule,
/// login with <c>success</c>/<c>failure</c>, and the basic iq handlers. A <see cref="PhoneSimulator"/>
/// plays the phone that scans the QR. docs/whatsapp.md §7.
/// </summary>
public sealed class WaEmulator : IAsyncDisposable
{
    private const int MaxRequestHeadBytes = 8 * 1024;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Curve25519KeyPair _staticKey = Curve25519KeyPair.Generate();
    private readonly byte[] _certificateChain;
    private readonly ConcurrentDictionary<EmulatorConnection, byte> _connections = new();
    private readonly ConcurrentDictionary<(ulong User, uint Device), EmulatedDevice> _devices = new();
    private readonly ConcurrentDictionary<string, int> _deviceCounters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly ConcurrentQueue<string> _acks = new();
    private readonly ConcurrentDictionary<string, PendingCodeLink> _codeLinks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PendingCodeLink, byte> _codeLinksInUse = new();
    private readonly ConcurrentDictionary<Jid, DeviceKeys> _deviceKeys = new();
    private Task? _acceptLoop;

    /// <summary>Creates the emulator on 127.0.0.1 (port 0 picks a free one); call <see cref="Start"/>.</summary>
    public WaEmulator(int port = 0, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        _listener = new TcpListener(IPAddress.Loopback, port);
        var chain = new TestCertificateChain(_staticKey.PublicKey.Span, Time.GetUtcNow());
        _certificateChain = chain.ToByteArray();
        Trust = chain.Trust;
    }

    /// <summary>The emulator's clock (ref expiry, <c>t</c> attributes, certificate validity).</summary>
    public TimeProvider Time { get; }

    /// <summary>The trust anchor a client needs for this emulator.</summary>
    public CertificateTrust Trust { get; }

    /// <summary>The test root public key as hex, for <c>WhatsApp:TrustedRootKey</c>.</summary>
    public string TrustedRootKeyHex => Convert.ToHexStringLower(Trust.RootPublicKey.Span);

    /// <summary>The WebSocket URL, valid after <see cref="Start"/>.</summary>
    public Uri Uri => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/ws/chat");

    /// <summary>The devices linked so far.</summary>
    public IReadOnlyCollection<EmulatedDevice> Devices => [.. _devices.Values];

    /// <summary>Fault injection: answer every login with <c>&lt;failure reason="N"/&gt;</c> (e.g. 405 client outdated, 401/403/406 logged out, 503).</summary>
    public int? FailLoginsWith { get; set; }

    /// <summary>Fault injection: leave keepalive pings (<c>xmlns="w:p"</c>) unanswered.</summary>
    public bool DropPings { get; set; }

    /// <summary>Fault injection: zlib-compress every node sent (flag 2), as the real server may.</summary>
    public bool CompressFrames { get; set; }

    /// <summary>How many keepalive pings arrived (answered or not).</summary>
    public int PingCount => _pingCount;

    /// <summary>How many connections completed the Noise handshake.</summary>
    public int HandshakeCount => _handshakeCount;

    private int _handshakeCount;
    private int _pingCount;

    /// <summary>Starts listening and accepting connections.</summary>
    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    /// <summary>Stops listening and ends every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Task.WhenAll(_tasks.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>
    /// Fault injection: sends <c>&lt;stream:error code="N"&gt;</c> (with a <c>&lt;conflict type=…/&gt;</c>
    /// child when <paramref name="conflict"/> is set) to every logged-in connection, then closes them
    /// (docs/whatsapp.md §6, from whatsmeow connectionevents.go handleStreamError: 401 device_removed,
    /// conflict replaced, 503, 515).
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendStreamErrorAsync(int? code, string? conflict, CancellationToken cancellationToken)
    {
        var attributes = code is { } c ? new[] { ("code", (AttrValue)c.ToString(System.Globalization.CultureInfo.InvariantCulture)) } : [];
        var node = conflict is null
            ? NodeHelpers.Make("stream:error", attributes)
            : NodeHelpers.Make("stream:error", attributes, NodeHelpers.Make("conflict", ("type", conflict)));
        var count = 0;
        foreach (var connection in _connections.Keys.Where(c => c.IsLoggedIn))
        {
            await connection.SendAsync(node, cancellationToken);
            await connection.CloseAsync();
            count++;
        }

        return count;
    }

    /// <summary>
    /// Fault injection: sends every logged-in connection a frame that decrypts but whose node is
    /// cut in half (or, with <paramref name="compressed"/>, whose zlib stream is cut in half). A
    /// client must drop the connection with a clear error and reconnect.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendTruncatedFrameAsync(bool compressed, CancellationToken cancellationToken)
    {
        var node = NodeHelpers.Make(
            "notification",
            [("from", Jid.WhatsAppServer), ("type", "server_sync"), ("id", "truncated")],
            NodeHelpers.MakeBytes("collection", [("name", "regular")], new byte[64]));
        var whole = compressed ? FramePayload.Compress(NodeEncoder.Encode(node)) : NodeEncoder.EncodeFrame(node);
        var count = 0;
        foreach (var connection in _connections.Keys.Where(c => c.IsLoggedIn))
        {
            await connection.SendRawAsync(whole[..(whole.Length / 2)], cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Fault injection: sends every logged-in connection a frame over the client's size limits —
    /// with <paramref name="compressed"/>, a small zlib bomb whose node inflates to
    /// <paramref name="size"/> bytes; otherwise a plain frame of <paramref name="size"/> bytes.
    /// A client must drop the connection with a protocol error (not run out of memory) and reconnect.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendOversizedFrameAsync(bool compressed, int size, CancellationToken cancellationToken)
    {
        byte[] payload;
        if (compressed)
        {
            // Zeros compress about 1000:1, so 24 MiB of node travels in a frame of ~24 KB.
            using var output = new MemoryStream();
            output.WriteByte(FramePayload.CompressedFlag);
            using (var zlib = new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var zeros = new byte[64 * 1024];
                for (var left = size; left > 0; left -= zeros.Length)
                {
                    zlib.Write(zeros, 0, Math.Min(left, zeros.Length));
                }
            }

            payload = output.ToArray();
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(size, SocketConstants.MaxFrameSize);
            payload = new byte[size];
        }

        var count = 0;
        foreach (var connection in _connections.Keys.Where(c => c.IsLoggedIn))
        {
            try
            {
                await connection.SendRawAsync(payload, cancellationToken);
            }
            catch (Exception ex) when (ex is WaSocketException or ObjectDisposedException)
            {
                // The client hung up while the frame was still going out: what it should do.
            }
            count++;
        }

        return count;
    }

    /// <summary>Counts a ping; true when it should be answered.</summary>
    internal bool OnPing()
    {
        Interlocked.Increment(ref _pingCount);
        return !DropPings;
    }

    /// <summary>
    /// Sends <c>&lt;notification type="companion_reg_refresh"&gt;&lt;companion_reg_refresh/&gt;&lt;/notification&gt;</c>
    /// to every connection that is showing refs (docs/whatsapp.md §4.5): the device must rotate its
    /// ADV secret and re-render its QR.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendCompanionRegRefreshAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var connection in _connections.Keys.Where(c => c.Refs.Count > 0 && !c.IsLoggedIn))
        {
            var now = Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            await connection.SendAsync(
                NodeHelpers.Make(
                    "notification",
                    [("from", Jid.WhatsAppServer), ("type", "companion_reg_refresh"), ("id", connection.NextId()), ("t", now)],
                    NodeHelpers.Make("companion_reg_refresh")),
                cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>The acks received so far, as <c>class/type</c> (e.g. <c>notification/companion_reg_refresh</c>).</summary>
    public IReadOnlyCollection<string> Acks => [.. _acks];

    internal void OnAck(Node ack) => _acks.Enqueue($"{ack.Attr("class")}/{ack.Attr("type")}");

    internal EmulatedDevice? FindDevice(ulong user, uint device) =>
        _devices.TryGetValue((user, device), out var found) ? found : null;

    internal EmulatorConnection? FindConnectionByRef(string reference, out int index)
    {
        foreach (var connection in _connections.Keys)
        {
            var refs = connection.Refs;
            for (var i = 0; i < refs.Count; i++)
            {
                if (string.Equals(refs[i], reference, StringComparison.Ordinal))
                {
                    index = i;
                    return connection;
                }
            }
        }

        index = -1;
        return null;
    }

    /// <summary>A companion_hello for <see cref="PendingCodeLink.PhoneNumber"/>; replaces an earlier one for that number.</summary>
    internal void OfferCodeLink(PendingCodeLink link) => _codeLinks[link.PhoneNumber] = link;

    /// <summary>The newest companion_hello for <paramref name="phoneNumber"/>, taken (a code is entered once).</summary>
    internal PendingCodeLink? TakeCodeLink(string phoneNumber) =>
        _codeLinks.TryRemove(phoneNumber, out var link) ? link : null;

    /// <summary>The pending or taken link on <paramref name="connection"/> with <paramref name="reference"/>, for routing companion_finish.</summary>
    internal PendingCodeLink? FindCodeLink(EmulatorConnection connection, ReadOnlySpan<byte> reference)
    {
        foreach (var link in _codeLinksInUse.Keys.Concat(_codeLinks.Values))
        {
            if (link.Connection == connection && link.Ref.AsSpan().SequenceEqual(reference))
            {
                return link;
            }
        }

        return null;
    }

    /// <summary>Marks a taken link as waiting for its companion_finish (or done, <paramref name="inUse"/> false).</summary>
    internal void SetCodeLinkInUse(PendingCodeLink link, bool inUse)
    {
        if (inUse)
        {
            _codeLinksInUse[link] = 0;
        }
        else
        {
            _codeLinksInUse.TryRemove(link, out _);
        }
    }

    internal int NextDeviceId(string phoneNumber) => _deviceCounters.AddOrUpdate(phoneNumber, 1, (_, n) => n + 1);

    internal void Unregister(Jid jid)
    {
        if (ulong.TryParse(jid.User, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var user))
        {
            _devices.TryRemove((user, jid.Device ?? 0), out _);
        }

        _deviceKeys.TryRemove(jid, out _);
    }

    /// <summary>How many one-time prekeys of <paramref name="device"/> the server holds.</summary>
    public int PreKeyCount(Jid device) => _deviceKeys.TryGetValue(device, out var keys) ? keys.Count : 0;

    /// <summary>True after <paramref name="device"/> sent <c>passive/active</c> (and no <c>passive</c> since).</summary>
    public bool IsActive(Jid device) => _deviceKeys.TryGetValue(device, out var keys) && keys.Active;

    /// <summary>
    /// Plays contacts starting sessions: hands out (and forgets) up to <paramref name="count"/> of
    /// <paramref name="device"/>'s one-time prekeys, as the server does when bundles are fetched.
    /// </summary>
    /// <returns>The ids taken.</returns>
    public IReadOnlyList<uint> TakePreKeys(Jid device, int count) =>
        _deviceKeys.TryGetValue(device, out var keys) ? keys.Take(count) : [];

    /// <summary>
    /// Sends the low-prekey push <c>&lt;notification type="encrypt"&gt;&lt;count value="N"/&gt;</c>
    /// (docs/whatsapp.md §6.2) to every logged-in connection, N being what the server holds for it.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendPreKeyCountAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var connection in _connections.Keys.Where(c => c.IsLoggedIn && c.Device is not null))
        {
            var now = Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            await connection.SendAsync(
                NodeHelpers.Make(
                    "notification",
                    [("from", Jid.WhatsAppServer), ("type", "encrypt"), ("id", connection.NextId()), ("t", now)],
                    NodeHelpers.Make("count", ("value", PreKeyCount(connection.Device!.Jid).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                cancellationToken);
            sent++;
        }

        return sent;
    }

    internal DeviceKeys KeysOf(Jid device) => _deviceKeys.GetOrAdd(device, _ => new DeviceKeys());

    internal void Register(EmulatedDevice device, ulong user, uint deviceId) => _devices[(user, deviceId)] = device;

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var task = HandleClientAsync(client, cancellationToken);
            _tasks[task] = 0;
            _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task HandleClientAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var owned = client;
        try
        {
            var stream = client.GetStream();
            var socket = await UpgradeAsync(stream, Time.GetUtcNow(), cancellationToken);
            if (socket is null)
            {
                return;
            }

            await using var frames = FrameSocket.ForServer(new WebSocketTransport(socket));
            var responder = new NoiseResponder(_staticKey, _certificateChain, Time);
            var result = await responder.AcceptAsync(frames, cancellationToken);
            Interlocked.Increment(ref _handshakeCount);
            var payload = ClientPayload.Parser.ParseFrom(result.ClientPayload.Span);
            var connection = new EmulatorConnection(this, result.Socket, result.ClientStaticKey, payload);
            _connections[connection] = 0;
            try
            {
                await connection.RunAsync(cancellationToken);
            }
            finally
            {
                _connections.TryRemove(connection, out _);
            }
        }
        catch (Exception ex) when (ex is WaSocketException or IOException or Google.Protobuf.InvalidProtocolBufferException or OperationCanceledException or WebSocketException)
        {
            // One bad or vanished client never stops the emulator.
        }
    }

    /// <summary>The HTTP/1.1 WebSocket upgrade (RFC 6455 §4.2), requiring path /ws/chat and WhatsApp Web's Origin.</summary>
    private static async Task<WebSocket?> UpgradeAsync(NetworkStream stream, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(stream, cancellationToken);
        var lines = head?.Split("\r\n", StringSplitOptions.RemoveEmptyEntries) ?? [];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var requestLine = lines.Length > 0 ? lines[0].Split(' ') : [];
        string? status = null;
        if (requestLine.Length != 3 || requestLine[0] != "GET" || requestLine[1] != "/ws/chat")
        {
            status = "404 Not Found";
        }
        else if (!headers.TryGetValue("Origin", out var origin) || origin != SocketConstants.Origin)
        {
            status = "403 Forbidden";
        }
        else if (!headers.TryGetValue("Sec-WebSocket-Key", out _))
        {
            status = "400 Bad Request";
        }

        if (status is not null)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), cancellationToken);
            return null;
        }

#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it is not used for security here.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(headers["Sec-WebSocket-Key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        // Date, as web.whatsapp.com sends it: a client with a wrong clock can tell by how much.
        var date = now.ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        var response = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nDate: {date}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (bytes.Count >= MaxRequestHeadBytes || await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            bytes.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. bytes]);
    }
}
