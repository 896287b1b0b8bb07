using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using WaSms.Emulators.Shared;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Tests.Socket;

/// <summary>
/// A one-connection WebSocket server on 127.0.0.1: a TcpListener, the emulators' hand-written HTTP
/// upgrade (<see cref="WebSocketUpgrade"/>), then <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>. It records the
/// request headers so tests can check the Origin.
/// </summary>
internal sealed class LoopbackWebSocketServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public LoopbackWebSocketServer()
    {
        _listener.Start();
    }

    public Uri Uri => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/ws/chat");

    public IReadOnlyDictionary<string, string> RequestHeaders { get; private set; } = new Dictionary<string, string>();

    public string RequestLine { get; private set; } = "";

    public async Task<WebSocketTransport> AcceptAsync(CancellationToken cancellationToken)
    {
        var client = await _listener.AcceptTcpClientAsync(cancellationToken);
        var stream = client.GetStream();
        var request = await WebSocketUpgrade.ReadRequestAsync(stream, cancellationToken)
            ?? throw new IOException("The client closed before finishing its request.");
        RequestLine = request.RequestLine;
        RequestHeaders = request.Headers;
        return new WebSocketTransport(await WebSocketUpgrade.AcceptAsync(stream, request, date: null, cancellationToken));
    }

    public void Dispose() => _listener.Dispose();
}
