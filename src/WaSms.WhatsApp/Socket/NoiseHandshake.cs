using System.Security.Cryptography;
using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Socket;

/// <summary>
/// The symmetric state of WhatsApp's <c>Noise_XX_25519_AESGCM_SHA256\0\0\0\0</c> handshake, used
/// by both <see cref="NoiseInitiator"/> and the emulators' <c>NoiseResponder</c> (src/WaSms.Emulators). Steps and sources:
/// docs/protocol/noise.md §3.
/// </summary>
/// <remarks>
/// Unlike textbook Noise there is one AES-GCM key and one counter for both directions during
/// the handshake; the counter restarts at 0 on every <see cref="MixIntoKey"/>, and the key is the
/// pattern itself until the first MixKey.
/// </remarks>
public sealed class NoiseHandshake : IDisposable
{
    private const int HashSize = 32;

    private byte[] _hash;
    private byte[] _chainingKey;
    private NoiseCipher _cipher;
    private uint _counter;

    /// <summary>Starts the handshake: h = ck = k = the 32-byte pattern, then MixHash(prologue).</summary>
    /// <param name="prologue">The connection header (<see cref="FrameSocket.Header"/>).</param>
    public NoiseHandshake(ReadOnlySpan<byte> prologue)
    {
        _hash = SocketConstants.NoisePattern.ToArray();
        _chainingKey = _hash;
        _cipher = new NoiseCipher(_hash);
        Authenticate(prologue);
    }

    /// <summary>The current handshake hash h (a copy), for known-answer tests.</summary>
    public ReadOnlyMemory<byte> Hash => _hash.ToArray();

    /// <summary>The counter the next <see cref="Encrypt"/> or <see cref="Decrypt"/> will use.</summary>
    public uint Counter => _counter;

    /// <summary>MixHash: h = SHA-256(h ‖ data).</summary>
    public void Authenticate(ReadOnlySpan<byte> data)
    {
        var input = new byte[HashSize + data.Length];
        _hash.CopyTo(input, 0);
        data.CopyTo(input.AsSpan(HashSize));
        _hash = SHA256.HashData(input);
    }

    /// <summary>MixKey: (ck, k) = HKDF-SHA256(salt = ck, ikm, info = "", 64 bytes); counter = 0.</summary>
    public void MixIntoKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> output = stackalloc byte[2 * HashSize];
        DeriveKeys(_chainingKey, inputKeyMaterial, output);
        _chainingKey = output[..HashSize].ToArray();
        _cipher.Dispose();
        _cipher = new NoiseCipher(output[HashSize..]);
        _counter = 0;
        CryptographicOperations.ZeroMemory(output);
    }

    /// <summary>MixKey(X25519(privateKey, publicKey)).</summary>
    /// <exception cref="NoiseHandshakeException"><see cref="NoiseHandshakeError.InvalidKeyLength"/> or <see cref="NoiseHandshakeError.WeakKey"/>.</exception>
    public void MixSharedSecretIntoKey(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        if (privateKey.Length != Curve25519.KeySize || publicKey.Length != Curve25519.KeySize)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.InvalidKeyLength, $"X25519 keys are {Curve25519.KeySize} bytes (got {privateKey.Length} and {publicKey.Length}).");
        }

        Span<byte> secret = stackalloc byte[Curve25519.KeySize];
        if (!Curve25519.TryCalculateAgreement(privateKey, publicKey, secret))
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.WeakKey, "The peer's key is a low-order point (X25519 result is zero).");
        }

        MixIntoKey(secret);
        CryptographicOperations.ZeroMemory(secret);
    }

    /// <summary>Encrypts with aad = h and the next counter, then MixHash(ciphertext).</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = _cipher.Seal(_counter++, _hash, plaintext);
        Authenticate(ciphertext);
        return ciphertext;
    }

    /// <summary>Decrypts with aad = h and the next counter, then MixHash(ciphertext).</summary>
    /// <exception cref="NoiseHandshakeException"><see cref="NoiseHandshakeError.DecryptionFailed"/>.</exception>
    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext)
    {
        byte[] plaintext;
        try
        {
            plaintext = _cipher.Open(_counter++, _hash, ciphertext);
        }
        catch (CryptographicException ex)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.DecryptionFailed, "A handshake ciphertext failed to decrypt.", ex);
        }

        Authenticate(ciphertext);
        return plaintext;
    }

    /// <summary>
    /// Split: HKDF-SHA256(salt = ck, empty ikm, 64 bytes); the first half is client→server, the
    /// second server→client. Returns the socket that encrypts every further frame.
    /// </summary>
    public NoiseSocket Finish(FrameSocket frames, NoiseRole role)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var (writeKey, readKey) = SplitKeys(role);
        return new NoiseSocket(frames, writeKey, readKey);
    }

    /// <inheritdoc />
    public void Dispose() => _cipher.Dispose();

    internal (byte[] WriteKey, byte[] ReadKey) SplitKeys(NoiseRole role)
    {
        Span<byte> output = stackalloc byte[2 * HashSize];
        DeriveKeys(_chainingKey, ReadOnlySpan<byte>.Empty, output);
        var clientToServer = output[..HashSize].ToArray();
        var serverToClient = output[HashSize..].ToArray();
        CryptographicOperations.ZeroMemory(output);
        return role == NoiseRole.Initiator ? (clientToServer, serverToClient) : (serverToClient, clientToServer);
    }

    // HKDF-SHA256(salt, ikm, info = "") into 64 bytes. Extract is written out as HMAC because the
    // OpenSSL-backed HKDF.DeriveKey rejects an empty ikm, which Split needs (noise.md §4).
    private static void DeriveKeys(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output)
    {
        Span<byte> pseudoRandomKey = stackalloc byte[HashSize];
        HMACSHA256.HashData(salt, inputKeyMaterial, pseudoRandomKey);
        HKDF.Expand(HashAlgorithmName.SHA256, pseudoRandomKey, output, ReadOnlySpan<byte>.Empty);
        CryptographicOperations.ZeroMemory(pseudoRandomKey);
    }
}
