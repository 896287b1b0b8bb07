using System.IO.Compression;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// The frame payload around a node (after Noise decryption): one flag byte, then the node.
/// Flag bit 0x02 means the node is zlib-compressed (RFC 1950). Clients always send flag 0.
/// Other flag bits are ignored, as both reference clients do. See docs/protocol/binary-nodes.md §1.
/// </summary>
public static class FramePayload
{
    /// <summary>The flag bit that marks a zlib-compressed node.</summary>
    public const byte CompressedFlag = 0x02;

    /// <summary>True when the payload's flag byte marks a compressed node.</summary>
    /// <exception cref="WaProtocolException">The payload is empty.</exception>
    public static bool IsCompressed(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw new WaProtocolException("Frame payload is empty: expected a flag byte and a node at offset 0.", 0);
        }

        return (payload[0] & CompressedFlag) != 0;
    }

    /// <summary>The node bytes of a payload, inflated when the flag says so.</summary>
    /// <exception cref="WaProtocolException">The payload is empty, too large, not valid zlib, or inflates past the limit.</exception>
    public static byte[] Unpack(ReadOnlySpan<byte> payload, NodeDecoderLimits? limits = null)
    {
        limits ??= NodeDecoderLimits.Default;
        CheckSize(payload, limits);
        return IsCompressed(payload) ? Inflate(payload[1..], limits.MaxInflatedSize) : payload[1..].ToArray();
    }

    /// <summary>
    /// A compressed payload: flag 2 and the zlib-deflated node. Servers may send these; clients
    /// never do (the emulator uses it to prove the client reads them).
    /// </summary>
    public static byte[] Compress(ReadOnlySpan<byte> node)
    {
        using var output = new MemoryStream();
        output.WriteByte(CompressedFlag);
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(node);
        }

        return output.ToArray();
    }

    internal static void CheckSize(ReadOnlySpan<byte> payload, NodeDecoderLimits limits)
    {
        if (payload.Length > limits.MaxInputSize)
        {
            throw new WaProtocolException($"Frame payload of {payload.Length} bytes exceeds the limit of {limits.MaxInputSize} bytes.", 0);
        }
    }

    internal static byte[] Inflate(ReadOnlySpan<byte> compressed, int maxSize)
    {
        byte[] buffer = Inflate(compressed, maxSize, out int length);
        return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Inflates into one buffer that never grows past <paramref name="maxSize"/> (plus nothing):
    /// the stream is read in chunks and stops at the cap, so a bomb costs at most the cap, once.
    /// The node is <c>buffer[..length]</c>; the caller decodes it in place instead of copying.
    /// </summary>
    internal static byte[] Inflate(ReadOnlySpan<byte> compressed, int maxSize, out int length)
    {
        try
        {
            {
                using var input = new MemoryStream(compressed.ToArray(), writable: false);
                using var zlib = new ZLibStream(input, CompressionMode.Decompress);

                // Start near a typical compression ratio and double up to the cap; one byte past
                // the cap is read only to learn that the stream goes on.
                byte[] buffer = new byte[(int)Math.Min(maxSize, Math.Max(4096L, compressed.Length * 4L))];
                length = 0;
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (length >= maxSize)
                        {
                            Span<byte> probe = stackalloc byte[1];
                            if (zlib.Read(probe) > 0)
                            {
                                throw new WaProtocolException($"Compressed node inflates past the limit of {maxSize} bytes.", 1);
                            }

                            return buffer;
                        }

                        Array.Resize(ref buffer, (int)Math.Min(maxSize, buffer.Length * 2L));
                    }

                    int read = zlib.Read(buffer, length, buffer.Length - length);
                    if (read == 0)
                    {
                        return buffer;
                    }

                    length += read;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // zlib reports some corrupt streams as ZLibException (an IOException) rather than InvalidDataException.
            throw new WaProtocolException($"Compressed node (from offset 1) is not valid zlib data: {e.Message}", e);
        }
    }
}
