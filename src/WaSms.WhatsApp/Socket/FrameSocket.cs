using System.Buffers.Binary;

namespace WaSms.WhatsApp.Socket;

/// <summary>
/// WhatsApp's framing over a message transport: every frame is a 3-byte big-endian length and
/// its payload, and the client's first message starts with the connection header
/// (<c>WA 06 03</c>). Facts: docs/protocol/noise.md §1–2.
/// </summary>
/// <remarks>
/// <para>Sending: each frame goes out whole in one message (or several whole frames in one
/// message with <see cref="SendFramesAsync"/>); a frame is never split, because whatsmeow
/// cannot reassemble split frames correctly.</para>
/// <para>Receiving: one message may hold several frames, and a frame that does span messages is
/// reassembled (Baileys does the same). A length over <see cref="MaxFrameSize"/> or a connection
/// that ends inside a frame raises <see cref="FrameException"/>.</para>
/// <para>One sender and one receiver may run at the same time; sends are serialised here.</para>
/// </remarks>
public sealed class FrameSocket : IAsyncDisposable
{
    private readonly IMessageTransport _transport;
    private readonly bool _isServer;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _header;
    private bool _headerPending;
    private byte[] _pending = [];
    private int _pendingOffset;
    private int _pendingCount;
    private WaSocketException? _receiveFault;

    private FrameSocket(IMessageTransport transport, bool isServer, byte[] header, int maxFrameSize)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrameSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFrameSize, SocketConstants.MaxFrameSize);
        _transport = transport;
        _isServer = isServer;
        _header = header;
        _headerPending = true;
        MaxFrameSize = maxFrameSize;
    }

    /// <summary>
    /// The connection header: for a client, the bytes it sends before its first frame; for a
    /// server, the 4-byte <c>WA</c> header it received (empty until the first frame arrives).
    /// It is the Noise prologue on both sides.
    /// </summary>
    public ReadOnlyMemory<byte> Header => _header;

    /// <summary>
    /// Routing info from Baileys' optional <c>ED</c> intro before the header (server side only;
    /// empty when absent). It is not part of the Noise prologue.
    /// </summary>
    public ReadOnlyMemory<byte> RoutingInfo { get; private set; }

    /// <summary>The largest frame payload this socket sends or accepts.</summary>
    public int MaxFrameSize { get; }

    /// <summary>The client side: sends <paramref name="header"/> (default <c>WA 06 03</c>) before its first frame.</summary>
    public static FrameSocket ForClient(IMessageTransport transport, ReadOnlySpan<byte> header = default, int maxFrameSize = SocketConstants.MaxFrameSize) =>
        new(transport, isServer: false, header.IsEmpty ? SocketConstants.ConnectionHeader.ToArray() : header.ToArray(), maxFrameSize);

    /// <summary>The server side (emulator): expects and strips the connection header from the first message.</summary>
    public static FrameSocket ForServer(IMessageTransport transport, int maxFrameSize = SocketConstants.MaxFrameSize) =>
        new(transport, isServer: true, [], maxFrameSize);

    /// <summary>Sends one frame in its own message.</summary>
    /// <exception cref="FrameException">The payload is longer than <see cref="MaxFrameSize"/> (<see cref="FrameError.TooLarge"/>).</exception>
    public ValueTask SendFrameAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendFramesAsync([payload], cancellationToken);

    /// <summary>Sends several whole frames in one message (what the server does when it batches).</summary>
    /// <exception cref="FrameException">A payload is longer than <see cref="MaxFrameSize"/> (<see cref="FrameError.TooLarge"/>).</exception>
    public async ValueTask SendFramesAsync(IReadOnlyList<ReadOnlyMemory<byte>> payloads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var total = 0L;
        foreach (var payload in payloads)
        {
            if (payload.Length > MaxFrameSize)
            {
                throw new FrameException(FrameError.TooLarge, $"A frame of {payload.Length} bytes exceeds the maximum of {MaxFrameSize}.");
            }

            total += SocketConstants.FrameLengthSize + payload.Length;
        }

        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            var header = !_isServer && _headerPending ? _header : [];
            var message = new byte[header.Length + total];
            header.CopyTo(message, 0);
            var offset = header.Length;
            foreach (var payload in payloads)
            {
                WriteLength(message.AsSpan(offset), payload.Length);
                payload.Span.CopyTo(message.AsSpan(offset + SocketConstants.FrameLengthSize));
                offset += SocketConstants.FrameLengthSize + payload.Length;
            }

            await _transport.SendAsync(message, cancellationToken);
            if (!_isServer)
            {
                _headerPending = false;
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Receives the next frame's payload.</summary>
    /// <exception cref="SocketClosedException">The connection closed between frames.</exception>
    /// <exception cref="FrameException">The frame is too large, was cut off, or (server side) the header was bad.</exception>
    public async ValueTask<byte[]> ReceiveFrameAsync(CancellationToken cancellationToken)
    {
        if (_receiveFault is not null)
        {
            throw _receiveFault;
        }

        while (true)
        {
            if (_pendingCount >= SocketConstants.FrameLengthSize)
            {
                var length = ReadLength(_pending.AsSpan(_pendingOffset));
                if (length > MaxFrameSize)
                {
                    throw Fault(new FrameException(FrameError.TooLarge, $"The peer announced a frame of {length} bytes; the maximum is {MaxFrameSize}."));
                }

                if (_pendingCount >= SocketConstants.FrameLengthSize + length)
                {
                    var frame = _pending.AsSpan(_pendingOffset + SocketConstants.FrameLengthSize, length).ToArray();
                    _pendingOffset += SocketConstants.FrameLengthSize + length;
                    _pendingCount -= SocketConstants.FrameLengthSize + length;
                    return frame;
                }
            }

            ReadOnlyMemory<byte> message;
            try
            {
                message = await _transport.ReceiveAsync(cancellationToken);
            }
            catch (SocketClosedException ex) when (_pendingCount > 0)
            {
                throw Fault(new FrameException(FrameError.Truncated, $"The connection closed with {_pendingCount} bytes of an unfinished frame.", ex));
            }
            catch (FrameException ex)
            {
                throw Fault(ex);
            }

            if (_isServer && _headerPending)
            {
                message = message[ReadConnectionHeader(message.Span)..];
                _headerPending = false;
            }

            Append(message.Span);
        }
    }

    /// <summary>Closes the transport gracefully.</summary>
    public ValueTask CloseAsync(CancellationToken cancellationToken) => _transport.CloseAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync();
        _sendLock.Dispose();
    }

    private static void WriteLength(Span<byte> destination, int length)
    {
        destination[0] = (byte)(length >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)length);
    }

    private static int ReadLength(ReadOnlySpan<byte> source) => (source[0] << 16) | BinaryPrimitives.ReadUInt16BigEndian(source[1..]);

    // Returns how many bytes of the first message are intro and header.
    private int ReadConnectionHeader(ReadOnlySpan<byte> message)
    {
        var offset = 0;

        // Baileys' optional edge-routing intro: "ED" 00 01, a 3-byte length, the routing info.
        if (message.Length >= 2 && message[0] == (byte)'E' && message[1] == (byte)'D')
        {
            if (message.Length < 7 || message[2] != 0 || message[3] != 1)
            {
                throw Fault(new FrameException(FrameError.BadConnectionHeader, "The edge-routing intro is malformed."));
            }

            var routingLength = ReadLength(message[4..]);
            if (message.Length < 7 + routingLength)
            {
                throw Fault(new FrameException(FrameError.BadConnectionHeader, "The edge-routing intro is cut off."));
            }

            RoutingInfo = message.Slice(7, routingLength).ToArray();
            offset = 7 + routingLength;
        }

        var header = message[offset..];
        if (header.Length < 4 || header[0] != (byte)'W' || header[1] != (byte)'A' || header[2] != SocketConstants.MagicValue)
        {
            throw Fault(new FrameException(FrameError.BadConnectionHeader, "The first message does not start with the WA connection header."));
        }

        _header = header[..4].ToArray();
        return offset + 4;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_pendingCount == 0)
        {
            _pendingOffset = 0;
        }

        if (_pendingOffset + _pendingCount + data.Length > _pending.Length)
        {
            var grown = _pendingCount + data.Length <= _pending.Length ? _pending : new byte[Math.Max(_pendingCount + data.Length, _pending.Length * 2)];
            _pending.AsSpan(_pendingOffset, _pendingCount).CopyTo(grown);
            _pending = grown;
            _pendingOffset = 0;
        }

        data.CopyTo(_pending.AsSpan(_pendingOffset + _pendingCount));
        _pendingCount += data.Length;
    }

    private FrameException Fault(FrameException exception)
    {
        _receiveFault = exception;
        return exception;
    }
}
