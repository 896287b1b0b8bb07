namespace WaSms.WhatsApp.Socket;

/// <summary>
/// A duplex, message-oriented connection under <see cref="FrameSocket"/>: one call sends or
/// receives one whole binary message. <see cref="WebSocketTransport"/> is the real one,
/// <c>InMemoryTransport</c> (src/WaSms.Emulators) an in-process pipe for tests.
/// Sends may not overlap each other, and receives may not overlap each other
/// (<see cref="FrameSocket"/> serialises its sends).
/// </summary>
public interface IMessageTransport : IAsyncDisposable
{
    /// <summary>Sends one binary message.</summary>
    /// <exception cref="SocketClosedException">The connection is closed.</exception>
    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>Receives the next binary message; the returned memory belongs to the caller.</summary>
    /// <exception cref="SocketClosedException">The peer closed the connection, or it was closed locally.</exception>
    /// <exception cref="FrameException">The message exceeds the transport's size limit.</exception>
    ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Closes the connection gracefully; further receives on either side end with <see cref="SocketClosedException"/>.</summary>
    ValueTask CloseAsync(CancellationToken cancellationToken);
}
