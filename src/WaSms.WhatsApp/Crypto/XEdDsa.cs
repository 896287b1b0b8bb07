using System.Numerics;
using System.Security.Cryptography;
using Ed25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace WaSms.WhatsApp.Crypto;

/// <summary>
/// Signatures made and checked with Curve25519 keys, the way libsignal (and so WhatsApp) does it:
/// the Montgomery key is turned into its Edwards twin and an Ed25519-style signature is made, with
/// the sign bit of the Edwards public key stored in the top bit of the last signature byte.
/// Used for the Noise certificate chain, signed prekeys and device identities.
/// Facts and sources: docs/protocol/noise.md §6.
/// </summary>
public static class XEdDsa
{
    /// <summary>Length of a signature.</summary>
    public const int SignatureSize = 64;

    // 0xFE followed by 31 0xFF: the domain separator that keeps the nonce hash apart from Ed25519's.
    private static ReadOnlySpan<byte> NonceDiversifier =>
    [
        0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    /// <summary>Signs <paramref name="message"/> with a Curve25519 private key (clamped or not), using 64 fresh random bytes in the nonce.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message)
    {
        Span<byte> random = stackalloc byte[64];
        RandomNumberGenerator.Fill(random);
        return Sign(privateKey, message, random);
    }

    /// <summary>
    /// Signs with caller-chosen nonce randomness (64 bytes). Only tests should pick it: the same
    /// randomness for two different messages under one key reveals the key.
    /// </summary>
    public static byte[] Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> random)
    {
        if (privateKey.Length != Curve25519.KeySize)
        {
            throw new ArgumentException($"A Curve25519 private key is {Curve25519.KeySize} bytes.", nameof(privateKey));
        }

        if (random.Length != 64)
        {
            throw new ArgumentException("The nonce randomness is 64 bytes.", nameof(random));
        }

        Span<byte> clamped = stackalloc byte[32];
        privateKey.CopyTo(clamped);
        Curve25519.Clamp(clamped);
        var publicKey = Edwards25519.ScalarMultBaseEncoded(clamped);

        var nonceInput = new byte[32 + 32 + message.Length + 64];
        NonceDiversifier.CopyTo(nonceInput);
        clamped.CopyTo(nonceInput.AsSpan(32));
        message.CopyTo(nonceInput.AsSpan(64));
        random.CopyTo(nonceInput.AsSpan(64 + message.Length));
        var r = Edwards25519.Mod(Edwards25519.FromLittleEndian(SHA512.HashData(nonceInput)), Edwards25519.L);
        CryptographicOperations.ZeroMemory(nonceInput);

        var signature = new byte[SignatureSize];
        Span<byte> rBytes = stackalloc byte[32];
        Edwards25519.ToLittleEndian(r, rBytes);
        Edwards25519.ScalarMultBaseEncoded(rBytes).CopyTo(signature, 0);
        CryptographicOperations.ZeroMemory(rBytes);

        var challengeInput = new byte[32 + 32 + message.Length];
        signature.AsSpan(0, 32).CopyTo(challengeInput);
        publicKey.CopyTo(challengeInput, 32);
        message.CopyTo(challengeInput.AsSpan(64));
        var h = Edwards25519.Mod(Edwards25519.FromLittleEndian(SHA512.HashData(challengeInput)), Edwards25519.L);

        // Scalar arithmetic mod L uses BigInteger, which is not constant-time (docs/protocol/noise.md §7).
        var a = Edwards25519.FromLittleEndian(clamped);
        CryptographicOperations.ZeroMemory(clamped);
        var s = Edwards25519.Mod(r + (h * a), Edwards25519.L);
        Edwards25519.ToLittleEndian(s, signature.AsSpan(32));
        signature[63] |= (byte)(publicKey[31] & 0x80);
        return signature;
    }

    /// <summary>
    /// Checks a signature against a 32-byte Curve25519 public key. Malformed input (wrong
    /// lengths, a key that has no Edwards twin) gives <see langword="false"/>, never an exception.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Curve25519.KeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        Span<byte> u = stackalloc byte[32];
        publicKey.CopyTo(u);
        u[31] &= 0x7F;
        if (!Edwards25519.TryMontgomeryToEdwardsY(Edwards25519.FromLittleEndian(u), out BigInteger y))
        {
            return false;
        }

        Span<byte> edwardsKey = stackalloc byte[32];
        Edwards25519.ToLittleEndian(y, edwardsKey);
        edwardsKey[31] |= (byte)(signature[63] & 0x80);

        Span<byte> edwardsSignature = stackalloc byte[SignatureSize];
        signature.CopyTo(edwardsSignature);
        edwardsSignature[63] &= 0x7F;
        return Ed25519.Verify(edwardsSignature, edwardsKey, message);
    }
}
