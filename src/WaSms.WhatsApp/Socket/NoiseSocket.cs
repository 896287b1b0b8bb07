using System.Security.Cryptography;

namespace WaSms.WhatsApp.Socket;

/// <summary>
/// The encrypted transport after the handshake: each frame is AES-256-GCM with an empty AAD,
/// and each direction has its own key and its own counter starting at 0
/// (docs/protocol/noise.md §4). Made by <see cref="NoiseHandshake.Finish"/>.
/// </summary>
public sealed class NoiseSocket : IAsyncDisposable
{
    private readonly FrameSocket _frames;
    private readonly NoiseCipher _writeCipher;
    private readonly NoiseCipher _readCipher;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private ulong _writeCounter;
    private ulong _readCounter;

    internal NoiseSocket(FrameSocket frames, ReadOnlySpan<byte> writeKey, ReadOnlySpan<byte> readKey)
    {
        _frames = frames;
        _writeCipher = new NoiseCipher(writeKey);
        _readCipher = new NoiseCipher(readKey);
    }

    /// <summary>The frame socket underneath (for its header and limits).</summary>
    public FrameSocket Frames => _frames;

    /// <summary>How many frames have been encrypted for sending (the next write counter).</summary>
    public ulong WriteCounter => Interlocked.Read(ref _writeCounter);

    /// <summary>How many frames have been received (the next read counter), including ones that failed to decrypt.</summary>
    public ulong ReadCounter => Interlocked.Read(ref _readCounter);

    /// <summary>Encrypts and sends one frame. Sends are serialised, so the counter order is the wire order.</summary>
    public async ValueTask SendFrameAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var ciphertext = _writeCipher.Seal(NextCounter(ref _writeCounter), [], plaintext.Span);
            await _frames.SendFrameAsync(ciphertext, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Receives and decrypts the next frame. Only one receive may run at a time.</summary>
    /// <exception cref="FrameDecryptionException">The frame failed to authenticate; the counter has still advanced.</exception>
    /// <exception cref="SocketClosedException">The connection closed.</exception>
    /// <exception cref="FrameException">The framing broke.</exception>
    public async ValueTask<byte[]> ReceiveFrameAsync(CancellationToken cancellationToken)
    {
        var ciphertext = await _frames.ReceiveFrameAsync(cancellationToken);
        var counter = NextCounter(ref _readCounter);
        try
        {
            return _readCipher.Open(counter, [], ciphertext);
        }
        catch (CryptographicException ex)
        {
            throw new FrameDecryptionException(counter, ex);
        }
    }

    /// <summary>Closes the connection gracefully.</summary>
    public ValueTask CloseAsync(CancellationToken cancellationToken) => _frames.CloseAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _frames.DisposeAsync();
        _writeCipher.Dispose();
        _readCipher.Dispose();
        _writeLock.Dispose();
    }

    // A 32-bit counter must never wrap: the nonce would repeat under the same key.
    private static uint NextCounter(ref ulong counter)
    {
        var value = Interlocked.Increment(ref counter) - 1;
        if (value > uint.MaxValue)
        {
            throw new WaSocketException("The Noise counter is exhausted; reconnect to get fresh keys.");
        }

        return (uint)value;
    }
}
