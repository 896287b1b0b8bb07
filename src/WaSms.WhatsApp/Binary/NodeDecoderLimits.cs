namespace WaSms.WhatsApp.Binary;

/// <summary>
/// Bounds the decoder enforces on untrusted input, on top of checking every declared length
/// against the bytes that remain. Input that exceeds one throws <see cref="WaProtocolException"/>.
/// </summary>
public sealed record NodeDecoderLimits
{
    /// <summary>The defaults: 4 MiB input, 8 MiB inflated, depth 64 (docs/protocol/binary-nodes.md §4.4).</summary>
    public static NodeDecoderLimits Default { get; } = new();

    /// <summary>
    /// Largest frame payload or node accepted, in bytes. The 3-byte length prefix allows 16 MiB − 1,
    /// but a frame is copied a few times on its way in (WebSocket message, frame, plaintext), and
    /// four copies of 16 MiB do not fit the service's 64 MB heap; WhatsApp's frames are far smaller.
    /// </summary>
    public int MaxInputSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Largest node a compressed frame may inflate to, in bytes (zip-bomb guard). The inflated bytes
    /// and the decoded node (which copies the binary content) must fit the 64 MB heap together.
    /// </summary>
    public int MaxInflatedSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Deepest nesting of nodes; the root is depth 1.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most children in one node's list (the format allows 65535).</summary>
    public int MaxChildren { get; init; } = ushort.MaxValue;

    /// <summary>Most attributes on one node (the format allows 32767).</summary>
    public int MaxAttributes { get; init; } = 1024;

    /// <summary>
    /// Most nodes in one frame, all levels together. Each decoded node costs tens of bytes of heap
    /// from 3 bytes of input, so 8 MiB of minimal nodes would need ~150 MB; real frames hold hundreds.
    /// </summary>
    public int MaxTotalNodes { get; init; } = 65536;

    /// <summary>Most attributes in one frame, all nodes together (the same reasoning as <see cref="MaxTotalNodes"/>).</summary>
    public int MaxTotalAttributes { get; init; } = 65536;
}
