using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using WaSms.Emulators.Platform.Protocol;
using WaSms.Emulators.Platform.Store;
using WaSms.Emulators.Shared;

namespace WaSms.Emulators.Platform.Tunnel;

/// <summary>
/// The tunnel endpoint: TLS with the emulator's test certificate on 127.0.0.1, the WebSocket upgrade
/// on <c>/tunnel</c> with subprotocol <c>wasms-tunnel.v1</c>, then a <see cref="TunnelSession"/>.
/// A client that offers no v1 subprotocol is upgraded without one and told <c>unsupported-version</c>.
/// </summary>
public sealed class TunnelServer : IAsyncDisposable
{
    private readonly LoopbackAcceptor _acceptor;
    private readonly X509Certificate2 _certificate;
    private readonly PlatformStore _store;
    private readonly TunnelSettings _settings;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;

    public TunnelServer(X509Certificate2 certificate, PlatformStore store, TunnelHub hub, TunnelSettings settings, TimeProvider time, Action<string> log, int port = 0)
    {
        _certificate = certificate;
        _store = store;
        Hub = hub;
        _settings = settings;
        _time = time;
        _log = log;
        _acceptor = new LoopbackAcceptor(HandleClientAsync, port);
    }

    /// <summary>The live connections.</summary>
    public TunnelHub Hub { get; }

    /// <summary>The tunnel URL, valid after <see cref="Start"/>.</summary>
    public Uri Uri => new($"wss://127.0.0.1:{_acceptor.Port}/tunnel");

    /// <summary>Starts listening.</summary>
    public void Start() => _acceptor.Start();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _acceptor.DisposeAsync();

    private async Task HandleClientAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var owned = client;
        try
        {
            await using var tls = new SslStream(client.GetStream());
            using (var handshake = new CancellationTokenSource(_settings.HandshakeTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, handshake.Token))
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, linked.Token);
            }

            var request = await WebSocketUpgrade.ReadRequestAsync(tls, cancellationToken);
            var requestLine = request?.RequestLine.Split(' ') ?? [];
            if (request is null || requestLine.Length != 3 || requestLine[0] != "GET" || requestLine[1].Split('?')[0] != "/tunnel" ||
                !request.Headers.ContainsKey("Sec-WebSocket-Key"))
            {
                await WebSocketUpgrade.RejectAsync(tls, request is null ? "400 Bad Request" : "404 Not Found", cancellationToken);
                return;
            }

            var offered = request.Headers.GetValueOrDefault("Sec-WebSocket-Protocol", "").Split(',', StringSplitOptions.TrimEntries);
            var speaksV1 = offered.Contains(PlatformFrames.SubProtocol);
            using var socket = await WebSocketUpgrade.AcceptAsync(tls, request, _time.GetUtcNow(), cancellationToken, speaksV1 ? PlatformFrames.SubProtocol : null);
            using var session = new TunnelSession(socket, _store, Hub, _settings, _time, _log);
            if (!speaksV1)
            {
                await session.FailAsync(new TunnelProtocolException("unsupported-version", $"this platform speaks the subprotocol {PlatformFrames.SubProtocol}"));
                return;
            }

            await session.RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException or OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // One bad or vanished client never stops the server.
        }
    }
}
