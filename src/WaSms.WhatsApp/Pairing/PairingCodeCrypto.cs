using System.Security.Cryptography;
using System.Text;
using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// The cryptography of pairing by phone-number code, both sides (docs/whatsapp.md §9; whatsmeow
/// pair-code.go <c>generateCompanionEphemeralKey</c> and <c>handleCodePairNotification</c>).
/// <list type="bullet">
/// <item>Ephemeral key wrapping (both directions): <c>salt(32) ‖ iv(16) ‖ AES-256-CTR(PBKDF2-HMAC-SHA256(code, salt, 131072, 32), iv, pub)</c>, 80 bytes.</item>
/// <item>Key bundle (companion → primary): <c>salt(32) ‖ nonce(12) ‖ AES-256-GCM(HKDF-SHA256(shared, salt, "link_code_pairing_key_bundle_encryption_key"), nonce, companionIdentity ‖ primaryIdentity ‖ advRandom)</c>.</item>
/// <item>ADV secret: <c>HKDF-SHA256(ephemeralShared ‖ identityShared ‖ advRandom, no salt, "adv_secret", 32)</c>.</item>
/// </list>
/// </summary>
public static class PairingCodeCrypto
{
    /// <summary>PBKDF2 iterations: whatsmeow <c>2&lt;&lt;16</c>, Baileys <c>2 &lt;&lt; 16</c>.</summary>
    public const int Pbkdf2Iterations = 2 << 16;

    /// <summary>Salt length in a wrapped ephemeral key and in the key bundle.</summary>
    public const int SaltSize = 32;

    /// <summary>AES-CTR IV length.</summary>
    public const int IvSize = 16;

    /// <summary>Length of a wrapped ephemeral public key.</summary>
    public const int WrappedKeySize = SaltSize + IvSize + Curve25519.KeySize;

    /// <summary>AES-GCM nonce length in the key bundle.</summary>
    public const int BundleNonceSize = 12;

    /// <summary>AES-GCM tag length.</summary>
    public const int BundleTagSize = 16;

    /// <summary>Plain key-bundle length: two identity keys and the ADV randomness.</summary>
    public const int BundlePlainSize = 3 * 32;

    /// <summary>Length of a wrapped key bundle (salt, nonce, ciphertext, tag): 156 bytes.</summary>
    public const int WrappedBundleSize = SaltSize + BundleNonceSize + BundlePlainSize + BundleTagSize;

    /// <summary>HKDF info of the key-bundle key.</summary>
    public const string BundleKeyInfo = "link_code_pairing_key_bundle_encryption_key";

    /// <summary>HKDF info of the ADV secret.</summary>
    public const string AdvSecretInfo = "adv_secret";

    /// <summary>The AES-256 key derived from a code and salt (PBKDF2-HMAC-SHA256, 131072 iterations).</summary>
    public static byte[] DeriveCodeKey(string code, ReadOnlySpan<byte> salt) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.ASCII.GetBytes(PairingCode.Normalize(code)), salt, Pbkdf2Iterations, HashAlgorithmName.SHA256, 32);

    /// <summary>Wraps an ephemeral public key with the code, fresh salt and IV.</summary>
    public static byte[] WrapEphemeralKey(string code, ReadOnlySpan<byte> publicKey) =>
        WrapEphemeralKey(code, publicKey, RandomNumberGenerator.GetBytes(SaltSize), RandomNumberGenerator.GetBytes(IvSize));

    /// <summary>Wraps an ephemeral public key with the code and the given salt and IV (known-answer tests).</summary>
    public static byte[] WrapEphemeralKey(string code, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> iv)
    {
        CheckLength(publicKey.Length, Curve25519.KeySize, nameof(publicKey));
        CheckLength(salt.Length, SaltSize, nameof(salt));
        CheckLength(iv.Length, IvSize, nameof(iv));
        var wrapped = new byte[WrappedKeySize];
        salt.CopyTo(wrapped);
        iv.CopyTo(wrapped.AsSpan(SaltSize));
        AesCtr(DeriveCodeKey(code, salt), iv, publicKey, wrapped.AsSpan(SaltSize + IvSize));
        return wrapped;
    }

    /// <summary>
    /// Unwraps an ephemeral public key with the code. A wrong code yields a different 32-byte value,
    /// not an error: CTR has no integrity; the mismatch shows up at the key bundle.
    /// </summary>
    /// <exception cref="PairingCodeException"><see cref="PairingCodeError.Malformed"/> when shorter than 80 bytes (whatsmeow reads the first 80).</exception>
    public static byte[] UnwrapEphemeralKey(string code, ReadOnlySpan<byte> wrapped)
    {
        if (wrapped.Length < WrappedKeySize)
        {
            throw new PairingCodeException(PairingCodeError.Malformed, $"A wrapped ephemeral key has {WrappedKeySize} bytes, not {wrapped.Length}.");
        }

        var salt = wrapped[..SaltSize];
        var iv = wrapped.Slice(SaltSize, IvSize);
        var publicKey = new byte[Curve25519.KeySize];
        AesCtr(DeriveCodeKey(code, salt), iv, wrapped.Slice(SaltSize + IvSize, Curve25519.KeySize), publicKey);
        return publicKey;
    }

    /// <summary>X25519; a low-order result is refused.</summary>
    /// <exception cref="PairingCodeException"><see cref="PairingCodeError.KeyBundleMismatch"/> on an all-zero secret.</exception>
    public static byte[] Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        var shared = new byte[Curve25519.KeySize];
        if (!Curve25519.TryCalculateAgreement(privateKey, publicKey, shared))
        {
            throw new PairingCodeException(PairingCodeError.KeyBundleMismatch, "The peer's key is of low order.");
        }

        return shared;
    }

    /// <summary>Seals the companion's key bundle with a fresh salt and nonce.</summary>
    public static byte[] SealKeyBundle(ReadOnlySpan<byte> ephemeralShared, ReadOnlySpan<byte> companionIdentity, ReadOnlySpan<byte> primaryIdentity, ReadOnlySpan<byte> advRandom) =>
        SealKeyBundle(ephemeralShared, companionIdentity, primaryIdentity, advRandom, RandomNumberGenerator.GetBytes(SaltSize), RandomNumberGenerator.GetBytes(BundleNonceSize));

    /// <summary>Seals the companion's key bundle with the given salt and nonce (known-answer tests).</summary>
    public static byte[] SealKeyBundle(
        ReadOnlySpan<byte> ephemeralShared,
        ReadOnlySpan<byte> companionIdentity,
        ReadOnlySpan<byte> primaryIdentity,
        ReadOnlySpan<byte> advRandom,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> nonce)
    {
        CheckLength(companionIdentity.Length, 32, nameof(companionIdentity));
        CheckLength(primaryIdentity.Length, 32, nameof(primaryIdentity));
        CheckLength(advRandom.Length, 32, nameof(advRandom));
        CheckLength(salt.Length, SaltSize, nameof(salt));
        CheckLength(nonce.Length, BundleNonceSize, nameof(nonce));
        var plain = new byte[BundlePlainSize];
        companionIdentity.CopyTo(plain);
        primaryIdentity.CopyTo(plain.AsSpan(32));
        advRandom.CopyTo(plain.AsSpan(64));

        var wrapped = new byte[WrappedBundleSize];
        salt.CopyTo(wrapped);
        nonce.CopyTo(wrapped.AsSpan(SaltSize));
        var key = Hkdf(ephemeralShared, salt, BundleKeyInfo);
        using var gcm = new AesGcm(key, BundleTagSize);
        var body = wrapped.AsSpan(SaltSize + BundleNonceSize);
        gcm.Encrypt(nonce, plain, body[..BundlePlainSize], body[BundlePlainSize..]);
        return wrapped;
    }

    /// <summary>The primary's side: opens a key bundle.</summary>
    /// <exception cref="PairingCodeException">
    /// <see cref="PairingCodeError.Malformed"/> for a wrong length; <see cref="PairingCodeError.KeyBundleMismatch"/> when
    /// the tag does not verify (the sides used different codes).
    /// </exception>
    public static KeyBundle OpenKeyBundle(ReadOnlySpan<byte> ephemeralShared, ReadOnlySpan<byte> wrapped)
    {
        if (wrapped.Length != WrappedBundleSize)
        {
            throw new PairingCodeException(PairingCodeError.Malformed, $"A wrapped key bundle has {WrappedBundleSize} bytes, not {wrapped.Length}.");
        }

        var salt = wrapped[..SaltSize];
        var nonce = wrapped.Slice(SaltSize, BundleNonceSize);
        var body = wrapped[(SaltSize + BundleNonceSize)..];
        var key = Hkdf(ephemeralShared, salt, BundleKeyInfo);
        var plain = new byte[BundlePlainSize];
        using var gcm = new AesGcm(key, BundleTagSize);
        try
        {
            gcm.Decrypt(nonce, body[..BundlePlainSize], body[BundlePlainSize..], plain);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new PairingCodeException(PairingCodeError.KeyBundleMismatch, "The key bundle does not decrypt: the pairing code was wrong.", ex);
        }

        return new KeyBundle(plain[..32], plain[32..64], plain[64..]);
    }

    /// <summary>The ADV secret both sides derive; pair-success is HMACed with it.</summary>
    public static byte[] DeriveAdvSecret(ReadOnlySpan<byte> ephemeralShared, ReadOnlySpan<byte> identityShared, ReadOnlySpan<byte> advRandom)
    {
        var input = new byte[ephemeralShared.Length + identityShared.Length + advRandom.Length];
        ephemeralShared.CopyTo(input);
        identityShared.CopyTo(input.AsSpan(ephemeralShared.Length));
        advRandom.CopyTo(input.AsSpan(ephemeralShared.Length + identityShared.Length));
        return Hkdf(input, [], AdvSecretInfo);
    }

    /// <summary>
    /// AES-256-CTR with the whole 16-byte IV as a big-endian counter (Go <c>cipher.NewCTR</c>,
    /// Node <c>aes-256-ctr</c>); .NET has no CTR mode, so counter blocks go through ECB.
    /// </summary>
    public static void AesCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckLength(key.Length, 32, nameof(key));
        CheckLength(iv.Length, IvSize, nameof(iv));
        CheckLength(output.Length, input.Length, nameof(output));
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        Span<byte> counter = stackalloc byte[16];
        Span<byte> stream = stackalloc byte[16];
        iv.CopyTo(counter);
        for (var offset = 0; offset < input.Length; offset += 16)
        {
            aes.EncryptEcb(counter, stream, PaddingMode.None);
            var n = Math.Min(16, input.Length - offset);
            for (var i = 0; i < n; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ stream[i]);
            }

            for (var i = 15; i >= 0 && ++counter[i] == 0; i--)
            {
            }
        }
    }

    private static byte[] Hkdf(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> salt, string info)
    {
        var output = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, output, salt, Encoding.ASCII.GetBytes(info));
        return output;
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} bytes, got {actual}.", name);
        }
    }
}

/// <summary>An opened key bundle: the companion's identity key, the primary's identity key as the companion saw it, and the ADV randomness.</summary>
public sealed record KeyBundle(byte[] CompanionIdentity, byte[] PrimaryIdentity, byte[] AdvRandom);
