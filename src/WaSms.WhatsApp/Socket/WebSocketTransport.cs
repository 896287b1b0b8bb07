using System.Buffers;
using System.Net.WebSockets;

namespace WaSms.WhatsApp.Socket;

/// <summary>
/// <see cref="IMessageTransport"/> over a <see cref="WebSocket"/>: a client one from
/// <see cref="ConnectAsync"/>, or any server-side socket (for example from
/// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>) through the constructor.
/// Only binary messages carry WhatsApp data; text messages are dropped, as whatsmeow does.
/// </summary>
public sealed class WebSocketTransport : IMessageTransport
{
    /// <summary>Default limit for one received message: one maximum-size frame plus its prefix and a header.</summary>
    public const int DefaultMaxMessageSize = SocketConstants.MaxFrameSize + SocketConstants.FrameLengthSize + 64;

    private readonly WebSocket _socket;
    private readonly int _maxMessageSize;
    private readonly byte[] _receiveBuffer = new byte[16 * 1024];

    /// <summary>Wraps an open WebSocket; the transport owns and disposes it.</summary>
    public WebSocketTransport(WebSocket socket, int maxMessageSize = DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        _socket = socket;
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>
    /// Opens a client WebSocket to <paramref name="uri"/> with the headers WhatsApp Web sends:
    /// <c>Origin: https://web.whatsapp.com</c> and no-cache (docs/protocol/noise.md §1).
    /// </summary>
    /// <exception cref="SocketConnectException">The connection or the upgrade failed.</exception>
    public static Task<WebSocketTransport> ConnectAsync(Uri uri, CancellationToken cancellationToken) =>
        ConnectAsync(uri, DefaultMaxMessageSize, cancellationToken);

    /// <summary>As <see cref="ConnectAsync(Uri, CancellationToken)"/>, with a limit for one received message.</summary>
    /// <exception cref="SocketConnectException">The connection or the upgrade failed.</exception>
    public static async Task<WebSocketTransport> ConnectAsync(Uri uri, int maxMessageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.SetRequestHeader("Origin", SocketConstants.Origin);
            socket.Options.SetRequestHeader("Cache-Control", "no-cache");
            socket.Options.SetRequestHeader("Pragma", "no-cache");
            socket.Options.CollectHttpResponseDetails = true;
            await socket.ConnectAsync(uri, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = socket.HttpStatusCode == 0 ? (System.Net.HttpStatusCode?)null : socket.HttpStatusCode;
            socket.Dispose();
            throw new SocketConnectException($"Could not open the WebSocket to {uri}: {ex.Message}", status, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new WebSocketTransport(socket, maxMessageSize) { ServerDate = DateHeader(socket) };
    }

    /// <summary>
    /// The server's clock from the upgrade response's <c>Date</c> header (RFC 9110 §6.6.1), when it
    /// sent one: a client with a wrong clock can say by how much.
    /// </summary>
    public DateTimeOffset? ServerDate { get; private init; }

    private static DateTimeOffset? DateHeader(ClientWebSocket socket) =>
        socket.HttpResponseHeaders is { } headers
        && headers.FirstOrDefault(h => string.Equals(h.Key, "Date", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault() is { } value
        && DateTimeOffset.TryParseExact(value, "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;

    /// <inheritdoc />
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new SocketClosedException($"Sending failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(), cancellationToken);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
            {
                // A cancelled receive aborts the WebSocket; report the cancellation, not a closed peer.
                cancellationToken.ThrowIfCancellationRequested();
                throw new SocketClosedException($"Receiving failed: {ex.Message}", ex);
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                await CloseOutputQuietlyAsync(cancellationToken);
                throw new SocketClosedException($"The peer closed the connection ({_socket.CloseStatus}).");
            }

            if (message.WrittenCount + result.Count > _maxMessageSize)
            {
                throw new FrameException(FrameError.TooLarge, $"A WebSocket message exceeded {_maxMessageSize} bytes.");
            }

            message.Write(_receiveBuffer.AsSpan(0, result.Count));
            if (!result.EndOfMessage)
            {
                continue;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return message.WrittenMemory;
            }

            // A text message carries nothing for us; drop it and wait for the next one.
            message.Clear();
        }
    }

    /// <inheritdoc />
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                // Send our close frame without waiting for the peer's: its reply arrives only if
                // someone is still reading, and a reader sees it as SocketClosedException.
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException)
            {
                // The peer is gone already; closing is best effort.
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask CloseOutputQuietlyAsync(CancellationToken cancellationToken)
    {
        if (_socket.State == WebSocketState.CloseReceived)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException)
            {
                // Acknowledging the close is best effort.
            }
        }
    }
}
