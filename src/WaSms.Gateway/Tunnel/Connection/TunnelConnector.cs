using System.Net.WebSockets;
using WaSms.Gateway.Configuration;

namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>A connection attempt failed before any frame; <see cref="Exception.Message"/> is the state's reason.</summary>
public sealed class TunnelConnectException(string reason, bool terminal = false, Exception? inner = null, bool refused = false) : Exception(reason, inner)
{
    public bool Terminal { get; } = terminal;

    /// <summary>The platform's certificate was refused (<see cref="TlsValidator"/>): retried with backoff, but shown as "refused".</summary>
    public bool Refused { get; } = refused;
}

/// <summary>Opens the WebSocket to <c>Tunnel:Url</c> with the v1 subprotocol and the certificate check of <see cref="TlsValidator"/>.</summary>
public sealed class TunnelConnector(TunnelOptions options, TlsValidator tls, TimeProvider time)
{
    public const string SubProtocol = "wasms-tunnel.v1";

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    public Uri Endpoint { get; } = ToWebSocketUri(options.Url);

    /// <exception cref="TunnelConnectException">Unreachable, refused certificate, or another protocol version.</exception>
    public async Task<WebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        tls.Reset();
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        socket.Options.RemoteCertificateValidationCallback = tls.Validate;
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // the protocol's own ping (§7.4) detects a dead link
        using var timeout = new CancellationTokenSource(ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(Endpoint, linked.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            if (IsOtherSubProtocol(ex))
            {
                // The server answered with a subprotocol we did not ask for: another version (docs/tunnel.md §1), terminal (§8).
                throw new TunnelConnectException(OtherVersion, terminal: true, inner: ex);
            }
            if (tls.LastFailure is { } refusal)
            {
                throw new TunnelConnectException(refusal, inner: ex, refused: true);
            }
            var reason = timeout.IsCancellationRequested ? $"no answer from {Endpoint.Host} within {ConnectTimeout.TotalSeconds:0} s" : Describe(ex);
            throw new TunnelConnectException(reason, inner: ex);
        }
        if (socket.SubProtocol != SubProtocol)
        {
            socket.Abort();
            socket.Dispose();
            throw new TunnelConnectException(OtherVersion, terminal: true);
        }
        return socket;
    }

    private const string OtherVersion = "the platform speaks another tunnel version: firmware update needed";

    /// <summary>ClientWebSocket refuses a 101 whose subprotocol it did not request before <see cref="ClientWebSocket.SubProtocol"/> can be read.</summary>
    private static bool IsOtherSubProtocol(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebSocketException { WebSocketErrorCode: WebSocketError.UnsupportedProtocol })
            {
                return true;
            }
        }
        return false;
    }

    private string Describe(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException socket)
            {
                return $"{Endpoint.Host}:{Endpoint.Port}: {socket.Message}";
            }
        }
        return $"{Endpoint.Host}: {ex.Message}";
    }

    private static Uri ToWebSocketUri(string url)
    {
        var builder = new UriBuilder(url);
        if (builder.Scheme == "https")
        {
            builder.Scheme = "wss";
        }
        return builder.Uri;
    }
}
