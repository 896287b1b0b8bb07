using System.Security.Cryptography;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// WhatsApp's padding of the plaintext protobuf before Signal encryption: n bytes of value n
/// (docs/protocol/messaging.md §3). We send 1–15 like whatsmeow; we accept any n up to the length whose
/// bytes all equal n (whatsmeow's check; Baileys checks only n ≤ length), so a 16-byte Baileys pad or a
/// longer one from another client is read, and n = 0 means no padding.
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

    /// <summary>Removes the padding; <see cref="SignalError.InvalidPadding"/> when the last n bytes are not all n.</summary>
    public static byte[] Unpad(ReadOnlySpan<byte> m)
    {
        if (m.Length == 0)
        {
            throw new SignalException(SignalError.InvalidPadding, "The plaintext is empty: no padding.");
        }

        int n = m[^1];
        if (n > m.Length)
        {
            throw new SignalException(SignalError.InvalidPadding, $"The padding length {n} exceeds the {m.Length} bytes.");
        }

        if (m[^n..].ContainsAnyExcept((byte)n))
        {
            throw new SignalException(SignalError.InvalidPadding, "The padding bytes differ from the padding length.");
        }

        return m[..^n].ToArray();
    }
}
