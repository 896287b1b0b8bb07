namespace WaSms.WhatsApp.Binary;

/// <summary>
/// Bounds the decoder enforces on untrusted input, on top of checking every declared length
/// against the bytes that remain. Input that exceeds one throws <see cref="WaProtocolException"/>.
/// </summary>
public sealed record NodeDecoderLimits
{
    /// <summary>The defaults: 16 MiB input (the 3-byte frame length limit), 32 MiB inflated, depth 64.</summary>
    public static NodeDecoderLimits Default { get; } = new();

    /// <summary>Largest frame payload or node accepted, in bytes.</summary>
    public int MaxInputSize { get; init; } = (1 << 24) - 1;

    /// <summary>Largest node a compressed frame may inflate to, in bytes (zip-bomb guard).</summary>
    public int MaxInflatedSize { get; init; } = 32 * 1024 * 1024;

    /// <summary>Deepest nesting of nodes; the root is depth 1.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most children in one node's list (the format allows 65535).</summary>
    public int MaxChildren { get; init; } = ushort.MaxValue;

    /// <summary>Most attributes on one node (the format allows 32767).</summary>
    public int MaxAttributes { get; init; } = 1024;
}
