using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WaSms.WhatsApp.Socket;

/// <summary>
/// AES-256-GCM with WhatsApp's nonce: 8 zero bytes, then the 32-bit counter big-endian; 16-byte
/// tag appended to the ciphertext (docs/protocol/noise.md §3, §4).
/// </summary>
internal sealed class NoiseCipher : IDisposable
{
    internal const int TagSize = 16;
    internal const int NonceSize = 12;

    private readonly AesGcm _aes;

    internal NoiseCipher(ReadOnlySpan<byte> key)
    {
        _aes = new AesGcm(key, TagSize);
    }

    internal static void WriteNonce(Span<byte> nonce, uint counter)
    {
        nonce[..8].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], counter);
    }

    internal byte[] Seal(uint counter, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        WriteNonce(nonce, counter);
        var output = new byte[plaintext.Length + TagSize];
        _aes.Encrypt(nonce, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), associatedData);
        return output;
    }

    /// <exception cref="AuthenticationTagMismatchException">The tag did not verify.</exception>
    /// <exception cref="CryptographicException">The ciphertext is shorter than a tag.</exception>
    internal byte[] Open(uint counter, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < TagSize)
        {
            throw new CryptographicException($"A ciphertext of {ciphertext.Length} bytes is shorter than the {TagSize}-byte tag.");
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        WriteNonce(nonce, counter);
        var plaintextLength = ciphertext.Length - TagSize;
        var plaintext = new byte[plaintextLength];
        _aes.Decrypt(nonce, ciphertext[..plaintextLength], ciphertext[plaintextLength..], plaintext, associatedData);
        return plaintext;
    }

    public void Dispose() => _aes.Dispose();
}
