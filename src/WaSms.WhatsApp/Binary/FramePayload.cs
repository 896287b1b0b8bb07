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
        try
        {
            using var input = new MemoryStream(compressed.ToArray(), writable: false);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            byte[] chunk = new byte[81920];
            int read;
            while ((read = zlib.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > maxSize)
                {
                    throw new WaProtocolException($"Compressed node inflates past the limit of {maxSize} bytes.", 1);
                }

                output.Write(chunk, 0, read);
            }

            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // zlib reports some corrupt streams as ZLibException (an IOException) rather than InvalidDataException.
            throw new WaProtocolException($"Compressed node (from offset 1) is not valid zlib data: {e.Message}", e);
        }
    }
}
