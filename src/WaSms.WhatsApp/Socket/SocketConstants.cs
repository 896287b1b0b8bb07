namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Fixed values of WhatsApp's Web transport. Each one is sourced in docs/protocol/noise.md.
/// </summary>
public static class SocketConstants
{
    /// <summary>The production WebSocket endpoint (noise.md §1).</summary>
    public const string Url = "wss://web.whatsapp.com/ws/chat";

    /// <summary>The Origin header every WhatsApp Web connection carries (noise.md §1).</summary>
    public const string Origin = "https://web.whatsapp.com";

    /// <summary>The third byte of the connection header (noise.md §2).</summary>
    public const byte MagicValue = 6;

    /// <summary>
    /// Token dictionary version written as the fourth header byte (noise.md §2). It selects the
    /// binary node token tables, so it has to match the node codec in Binary/.
    /// </summary>
    public const byte DictionaryVersion = 3;

    /// <summary>Bytes in a frame's big-endian length prefix (noise.md §2).</summary>
    public const int FrameLengthSize = 3;

    /// <summary>The largest payload a 3-byte length can describe, 2^24 − 1 (noise.md §2).</summary>
    public const int MaxFrameSize = (1 << 24) - 1;

    /// <summary>The connection header <c>57 41 06 03</c> ("WA", magic, dictionary version), also the Noise prologue.</summary>
    public static ReadOnlySpan<byte> ConnectionHeader => [(byte)'W', (byte)'A', MagicValue, DictionaryVersion];

    /// <summary>
    /// The Noise protocol name, 32 bytes long, so it is used as the initial hash and chaining key
    /// without hashing (noise.md §3).
    /// </summary>
    public static ReadOnlySpan<byte> NoisePattern => "Noise_XX_25519_AESGCM_SHA256\0\0\0\0"u8;
}
