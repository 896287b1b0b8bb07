using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// Public keys as Signal messages carry them (<c>0x05 ‖ 32 bytes</c>, docs/protocol/signal.md §1) and
/// the X25519 agreement that refuses low-order keys.
/// </summary>
internal static class SignalKeys
{
    public const byte DjbType = 0x05;
    public const int EncodedSize = 33;

    /// <summary><c>0x05 ‖ key</c>.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Curve25519.KeySize)
        {
            throw new SignalException(SignalError.InvalidKey, $"A public key is {Curve25519.KeySize} bytes, not {publicKey.Length}.");
        }

        var encoded = new byte[EncodedSize];
        encoded[0] = DjbType;
        publicKey.CopyTo(encoded.AsSpan(1));
        return encoded;
    }

    /// <summary>The 32 key bytes of a <c>0x05</c>-prefixed key from a message.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded, string what)
    {
        if (encoded.Length != EncodedSize || encoded[0] != DjbType)
        {
            throw new SignalException(SignalError.InvalidKey, $"The {what} is not a 33-byte type-5 key ({encoded.Length} bytes).");
        }

        return encoded[1..].ToArray();
    }

    /// <summary>A raw 32-byte public key given by a caller (bundles, identities).</summary>
    public static void CheckRaw(ReadOnlySpan<byte> publicKey, string what)
    {
        if (publicKey.Length != Curve25519.KeySize)
        {
            throw new SignalException(SignalError.InvalidKey, $"The {what} is not a 32-byte key ({publicKey.Length} bytes).");
        }
    }

    /// <summary>X25519 of our private key and their public key; a low-order key is an invalid key.</summary>
    public static byte[] Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        var shared = new byte[Curve25519.KeySize];
        if (!Curve25519.TryCalculateAgreement(privateKey, publicKey, shared))
        {
            throw new SignalException(SignalError.InvalidKey, "A public key has low order (the shared secret is zero).");
        }

        return shared;
    }
}
