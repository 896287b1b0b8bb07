using System.Threading.Channels;

using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp.Socket;

/// <summary>
/// One end of an in-process message pipe. Messages keep their boundaries, as on a WebSocket, so
/// tests can put several frames in one message. Create both ends with <see cref="CreatePair"/>.
/// </summary>
public sealed class InMemoryTransport : IMessageTransport
{
    private readonly Channel<ReadOnlyMemory<byte>> _inbound;
    private readonly Channel<ReadOnlyMemory<byte>> _outbound;

    private InMemoryTransport(Channel<ReadOnlyMemory<byte>> inbound, Channel<ReadOnlyMemory<byte>> outbound)
    {
        _inbound = inbound;
        _outbound = outbound;
    }

    /// <summary>Creates two connected ends: what one sends, the other receives.</summary>
    public static (InMemoryTransport Client, InMemoryTransport Server) CreatePair()
    {
        var toServer = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true });
        var toClient = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true });
        return (new InMemoryTransport(toClient, toServer), new InMemoryTransport(toServer, toClient));
    }

    /// <inheritdoc />
    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_outbound.Writer.TryWrite(message.ToArray()))
        {
            throw new SocketClosedException();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _inbound.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException ex)
        {
            throw new SocketClosedException("The peer closed the connection.", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        _outbound.Writer.TryComplete();
        _inbound.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => CloseAsync(CancellationToken.None);
}
