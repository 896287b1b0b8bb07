using System.Net.WebSockets;
using WaSms.Gateway.Tunnel.Protocol;

namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>
/// Tunnel frames over one WebSocket (docs/tunnel.md §1): text messages only, at most 256 KiB, one
/// writer at a time. A frame that breaks the protocol is answered with <c>error</c> and a close.
/// </summary>
public sealed class FrameSocket(WebSocket socket) : IAsyncDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly byte[] _buffer = new byte[FrameCodec.MaxFrameBytes + 1];

    /// <summary>The next frame; null when the platform closed the connection.</summary>
    /// <exception cref="ProtocolException">A binary, oversized or malformed frame (answered before this returns).</exception>
    public async Task<TunnelFrame?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            length += result.Count;
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                throw await FailAsync(new ProtocolException(TunnelErrors.BadFrame, "a binary message (frames are text)"), cancellationToken);
            }
            if (length > FrameCodec.MaxFrameBytes)
            {
                throw await FailAsync(new ProtocolException(TunnelErrors.TooLarge, $"a frame over the limit of {FrameCodec.MaxFrameBytes} bytes"), cancellationToken);
            }
            if (result.EndOfMessage)
            {
                break;
            }
        }
        try
        {
            return FrameCodec.Decode(_buffer.AsSpan(0, length));
        }
        catch (ProtocolException ex)
        {
            throw await FailAsync(ex, cancellationToken);
        }
    }

    public async Task SendAsync(TunnelFrame frame, CancellationToken cancellationToken)
    {
        var bytes = FrameCodec.Encode(frame);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Sends <c>error</c> for <paramref name="problem"/> and closes with its status (§8); returns it to throw.</summary>
    public async Task<ProtocolException> FailAsync(ProtocolException problem, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(new ErrorFrame { Code = problem.Code, Message = problem.Message, Terminal = TunnelErrors.IsTerminal(problem.Code) }, cancellationToken);
            await CloseAsync(TunnelErrors.CloseStatusFor(problem.Code), problem.Code, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The connection is going away anyway; the problem itself is what the caller reports.
        }
        return problem;
    }

    public async Task CloseAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(status, description, cancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }
}
