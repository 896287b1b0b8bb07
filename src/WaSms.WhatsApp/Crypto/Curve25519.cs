using Org.BouncyCastle.Math.EC.Rfc7748;

namespace WaSms.WhatsApp.Crypto;

/// <summary>
/// X25519 (RFC 7748) as WhatsApp's Noise handshake and Signal use it, on BouncyCastle's
/// constant-time managed implementation. See docs/protocol/noise.md §7 for the library choice.
/// </summary>
public static class Curve25519
{
    /// <summary>Length of private keys, public keys and shared secrets.</summary>
    public const int KeySize = 32;

    /// <summary>Clamps a private scalar in place (RFC 7748 §5 decodeScalar25519).</summary>
    public static void Clamp(Span<byte> privateKey)
    {
        CheckLength(privateKey.Length, nameof(privateKey));
        privateKey[0] &= 248;
        privateKey[31] &= 127;
        privateKey[31] |= 64;
    }

    /// <summary>Computes the public key (u-coordinate of clamp(k)·9) of a private key.</summary>
    public static byte[] GetPublicKey(ReadOnlySpan<byte> privateKey)
    {
        CheckLength(privateKey.Length, nameof(privateKey));
        var publicKey = new byte[KeySize];
        X25519.ScalarMultBase(privateKey, publicKey);
        return publicKey;
    }

    /// <summary>
    /// Computes the X25519 shared secret. Returns <see langword="false"/> when the result is all
    /// zeros, which happens only for a low-order public key and must be treated as an attack.
    /// </summary>
    public static bool TryCalculateAgreement(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret)
    {
        CheckLength(privateKey.Length, nameof(privateKey));
        CheckLength(publicKey.Length, nameof(publicKey));
        CheckLength(sharedSecret.Length, nameof(sharedSecret));
        return X25519.CalculateAgreement(privateKey, publicKey, sharedSecret);
    }

    private static void CheckLength(int length, string name)
    {
        if (length != KeySize)
        {
            throw new ArgumentException($"Expected {KeySize} bytes, got {length}.", name);
        }
    }
}
