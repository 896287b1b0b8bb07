using System.Security.Cryptography;

namespace WaSms.WhatsApp.Crypto;

/// <summary>
/// A Curve25519 key pair in the raw 32-byte form WhatsApp and libsignal use on the wire
/// (Montgomery u-coordinate for the public key). The private key is kept as given: keys made
/// by Node (Baileys) are stored unclamped, and every operation here clamps before use.
/// </summary>
public sealed class Curve25519KeyPair
{
    private readonly byte[] _privateKey;
    private readonly byte[] _publicKey;

    private Curve25519KeyPair(byte[] privateKey, byte[] publicKey)
    {
        _privateKey = privateKey;
        _publicKey = publicKey;
    }

    /// <summary>The 32-byte private scalar, possibly unclamped.</summary>
    public ReadOnlyMemory<byte> PrivateKey => _privateKey;

    /// <summary>The 32-byte public key (Montgomery u-coordinate, little-endian).</summary>
    public ReadOnlyMemory<byte> PublicKey => _publicKey;

    /// <summary>Makes a fresh key pair from the system CSPRNG.</summary>
    public static Curve25519KeyPair Generate()
    {
        var privateKey = new byte[Curve25519.KeySize];
        RandomNumberGenerator.Fill(privateKey);
        Curve25519.Clamp(privateKey);
        return new Curve25519KeyPair(privateKey, Curve25519.GetPublicKey(privateKey));
    }

    /// <summary>
    /// Rebuilds a key pair that was saved whole by our own store, without the scalar multiplication
    /// (a batch of 812 prekeys is read back at each upload). Only the lengths are checked.
    /// </summary>
    /// <exception cref="ArgumentException">A key is not 32 bytes long.</exception>
    public static Curve25519KeyPair FromStoredKeys(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        if (privateKey.Length != Curve25519.KeySize || publicKey.Length != Curve25519.KeySize)
        {
            throw new ArgumentException($"Curve25519 keys are {Curve25519.KeySize} bytes; got {privateKey.Length} and {publicKey.Length}.", nameof(privateKey));
        }

        return new Curve25519KeyPair(privateKey.ToArray(), publicKey.ToArray());
    }

    /// <summary>Rebuilds a key pair from a stored private key (clamped or not).</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes long.</exception>
    public static Curve25519KeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Curve25519.KeySize)
        {
            throw new ArgumentException($"A Curve25519 private key is {Curve25519.KeySize} bytes, not {privateKey.Length}.", nameof(privateKey));
        }

        var copy = privateKey.ToArray();
        return new Curve25519KeyPair(copy, Curve25519.GetPublicKey(copy));
    }
}
