using System.Security.Cryptography;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// WhatsApp's padding of the plaintext protobuf before Signal encryption: n bytes of value n
/// (docs/protocol/messaging.md §6). We send 1–15 like Baileys; we accept 1–16 like whatsmeow.
/// </summary>
public static class MessagePadding
{
    /// <summary><paramref name="m"/> followed by n bytes of value n, n random in 1–15.</summary>
    public static byte[] Pad(ReadOnlySpan<byte> m)
    {
        int n = RandomNumberGenerator.GetInt32(1, 16);
        var padded = new byte[m.Length + n];
        m.CopyTo(padded);
        padded.AsSpan(m.Length).Fill((byte)n);
        return padded;
    }

    /// <summary>Removes the padding; <see cref="SignalError.InvalidPadding"/> when it is not 1–16 bytes of its own length.</summary>
    public static byte[] Unpad(ReadOnlySpan<byte> m)
    {
        if (m.Length == 0)
        {
            throw new SignalException(SignalError.InvalidPadding, "The plaintext is empty: no padding.");
        }

        int n = m[^1];
        if (n is < 1 or > 16 || n > m.Length)
        {
            throw new SignalException(SignalError.InvalidPadding, $"The padding length {n} is not 1–16 within {m.Length} bytes.");
        }

        if (m[^n..].ContainsAnyExcept((byte)n))
        {
            throw new SignalException(SignalError.InvalidPadding, "The padding bytes differ from the padding length.");
        }

        return m[..^n].ToArray();
    }
}
