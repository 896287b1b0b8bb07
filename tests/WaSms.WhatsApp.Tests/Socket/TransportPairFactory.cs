using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Tests.Socket;

/// <summary>A connected client/server transport pair and whatever keeps it alive.</summary>
internal sealed class TransportPair(IMessageTransport client, IMessageTransport server, IDisposable? owner = null) : IAsyncDisposable
{
    public IMessageTransport Client { get; } = client;

    public IMessageTransport Server { get; } = server;

    public static TransportPair InMemory()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        return new TransportPair(client, server);
    }

    public static async Task<TransportPair> LoopbackWebSocketAsync(CancellationToken cancellationToken)
    {
        var listener = new LoopbackWebSocketServer();
        var accept = listener.AcceptAsync(cancellationToken);
        var client = await WebSocketTransport.ConnectAsync(listener.Uri, cancellationToken);
        return new TransportPair(client, await accept, listener);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        owner?.Dispose();
    }
}
