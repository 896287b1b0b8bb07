using System.Net.Sockets;
using System.Net.WebSockets;
using WaSms.Emulators.Shared;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;
using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp.Socket;

/// <summary>A client connection after the Noise handshake: the encrypted socket, its static key and its ClientPayload.</summary>
public sealed record WaServerConnection(NoiseSocket Socket, ReadOnlyMemory<byte> ClientStaticKey, ClientPayload Payload);

/// <summary>
/// The transport of a fake WhatsApp server on loopback, shared by <see cref="WaEmulator"/> and
/// <see cref="Scripting.ScriptedWaServer"/>: TCP, the WebSocket upgrade on <c>/ws/chat</c> with WhatsApp
/// Web's Origin, and the Noise XX responder with a certificate chain under its own test root (give
/// <see cref="TrustedRootKeyHex"/> to the client). Each connection that completes the handshake goes
/// to the handler; one bad or vanished client never stops the listener.
/// </summary>
public sealed class WaServerListener : IAsyncDisposable
{
    private readonly LoopbackAcceptor _acceptor;
    private readonly Func<WaServerConnection, CancellationToken, Task> _handler;
    private readonly Curve25519KeyPair _staticKey = Curve25519KeyPair.Generate();
    private readonly byte[] _certificateChain;
    private int _handshakeCount;

    /// <summary>Creates the listener on 127.0.0.1 (port 0 picks a free one); call <see cref="Start"/>.</summary>
    public WaServerListener(Func<WaServerConnection, CancellationToken, Task> handler, int port = 0, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        Time = time ?? TimeProvider.System;
        _acceptor = new LoopbackAcceptor(HandleClientAsync, port);
        var chain = new TestCertificateChain(_staticKey.PublicKey.Span, Time.GetUtcNow());
        _certificateChain = chain.ToByteArray();
        Trust = chain.Trust;
    }

    /// <summary>The server's clock (certificate validity, the upgrade's Date header).</summary>
    public TimeProvider Time { get; }

    /// <summary>The trust anchor a client needs for this server.</summary>
    public CertificateTrust Trust { get; }

    /// <summary>The test root public key as hex, for <c>WhatsApp:TrustedRootKey</c>.</summary>
    public string TrustedRootKeyHex => Convert.ToHexStringLower(Trust.RootPublicKey.Span);

    /// <summary>The WebSocket URL, valid after <see cref="Start"/>.</summary>
    public Uri Uri => new($"ws://127.0.0.1:{_acceptor.Port}/ws/chat");

    /// <summary>How many connections completed the Noise handshake.</summary>
    public int HandshakeCount => _handshakeCount;

    /// <summary>Starts listening and accepting connections.</summary>
    public void Start() => _acceptor.Start();

    /// <summary>Stops listening and ends every connection.</summary>
    public ValueTask DisposeAsync() => _acceptor.DisposeAsync();

    private async Task HandleClientAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var owned = client;
        try
        {
            var socket = await UpgradeAsync(client.GetStream(), cancellationToken);
            if (socket is null)
            {
                return;
            }

            await using var frames = FrameSocket.ForServer(new WebSocketTransport(socket));
            var responder = new NoiseResponder(_staticKey, _certificateChain, Time);
            var result = await responder.AcceptAsync(frames, cancellationToken);
            Interlocked.Increment(ref _handshakeCount);
            var payload = ClientPayload.Parser.ParseFrom(result.ClientPayload.Span);
            await _handler(new WaServerConnection(result.Socket, result.ClientStaticKey, payload), cancellationToken);
        }
        catch (Exception ex) when (ex is WaSocketException or IOException or Google.Protobuf.InvalidProtocolBufferException or OperationCanceledException or WebSocketException)
        {
            // One bad or vanished client never stops the server.
        }
    }

    /// <summary>The upgrade as web.whatsapp.com does it: path /ws/chat, WhatsApp Web's Origin, and a Date header (a client with a wrong clock can tell by how much).</summary>
    private async Task<WebSocket?> UpgradeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var request = await WebSocketUpgrade.ReadRequestAsync(stream, cancellationToken);
        var requestLine = request?.RequestLine.Split(' ') ?? [];
        string? status = null;
        if (request is null || requestLine.Length != 3 || requestLine[0] != "GET" || requestLine[1] != "/ws/chat")
        {
            status = "404 Not Found";
        }
        else if (!request.Headers.TryGetValue("Origin", out var origin) || origin != SocketConstants.Origin)
        {
            status = "403 Forbidden";
        }
        else if (!request.Headers.ContainsKey("Sec-WebSocket-Key"))
        {
            status = "400 Bad Request";
        }

        if (status is not null)
        {
            await WebSocketUpgrade.RejectAsync(stream, status, cancellationToken);
            return null;
        }

        return await WebSocketUpgrade.AcceptAsync(stream, request!, Time.GetUtcNow(), cancellationToken);
    }
}
