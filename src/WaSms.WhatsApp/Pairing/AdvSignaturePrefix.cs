namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// The two-byte prefixes of the ADV signatures and HMAC (docs/whatsapp.md §4.4; whatsmeow pair.go,
/// Baileys src/Defaults/index.ts <c>WA_ADV_*_SIG_PREFIX</c>).
/// </summary>
public static class AdvSignaturePrefix
{
    /// <summary><c>06 00</c>: the phone's account signature.</summary>
    public static ReadOnlySpan<byte> Account => [6, 0];

    /// <summary><c>06 01</c>: the companion's device signature.</summary>
    public static ReadOnlySpan<byte> Device => [6, 1];

    /// <summary><c>06 05</c>: the account signature of a hosted account, and the HMAC prefix when the HMAC's account type is HOSTED.</summary>
    public static ReadOnlySpan<byte> HostedAccount => [6, 5];

    /// <summary><c>06 06</c>: hosted device (neither library signs with it).</summary>
    public static ReadOnlySpan<byte> HostedDevice => [6, 6];

    /// <summary>Concatenates the parts into one array.</summary>
    internal static byte[] Concat(params ReadOnlySpan<ReadOnlyMemory<byte>> parts)
    {
        var length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        var result = new byte[length];
        var offset = 0;
        foreach (var part in parts)
        {
            part.Span.CopyTo(result.AsSpan(offset));
            offset += part.Length;
        }

        return result;
    }
}
