using System.Security.Cryptography;
using System.Text;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// The key derivations libsignal uses (docs/protocol/signal.md §2, §4): HKDF-SHA256 with a 32-byte
/// salt and the chain step that turns a chain key into a message key seed and the next chain key.
/// </summary>
internal static class SignalKdf
{
    public const int KeySize = 32;

    private static readonly byte[] ZeroSalt = new byte[KeySize];
    private static readonly byte[] WhisperText = Encoding.ASCII.GetBytes("WhisperText");
    private static readonly byte[] WhisperRatchet = Encoding.ASCII.GetBytes("WhisperRatchet");
    private static readonly byte[] WhisperMessageKeys = Encoding.ASCII.GetBytes("WhisperMessageKeys");
    private static readonly byte[] WhisperGroup = Encoding.ASCII.GetBytes("WhisperGroup");

    /// <summary>The root key of a new session from the X3DH master secret.</summary>
    public static byte[] RootKey(ReadOnlySpan<byte> masterSecret)
    {
        var output = new byte[KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterSecret, output, ZeroSalt, WhisperText);
        return output;
    }

    /// <summary>A DH ratchet step: the next root key and a new chain key.</summary>
    public static (byte[] RootKey, byte[] ChainKey) Ratchet(ReadOnlySpan<byte> rootKey, ReadOnlySpan<byte> sharedSecret)
    {
        Span<byte> output = stackalloc byte[2 * KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, output, rootKey, WhisperRatchet);
        var result = (output[..KeySize].ToArray(), output[KeySize..].ToArray());
        CryptographicOperations.ZeroMemory(output);
        return result;
    }

    /// <summary>Message key seed (HMAC(ck, 01)) of a chain key.</summary>
    public static byte[] MessageKeySeed(ReadOnlySpan<byte> chainKey) => HMACSHA256.HashData(chainKey, [0x01]);

    /// <summary>Next chain key (HMAC(ck, 02)).</summary>
    public static byte[] NextChainKey(ReadOnlySpan<byte> chainKey) => HMACSHA256.HashData(chainKey, [0x02]);

    /// <summary>The pairwise message keys of a seed: AES-256 key, HMAC key, CBC IV.</summary>
    public static MessageKeys WhisperKeys(ReadOnlySpan<byte> seed)
    {
        Span<byte> output = stackalloc byte[3 * KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, output, ZeroSalt, WhisperMessageKeys);
        var keys = new MessageKeys(output[..KeySize].ToArray(), output[KeySize..(2 * KeySize)].ToArray(), output[(2 * KeySize)..(2 * KeySize + 16)].ToArray());
        CryptographicOperations.ZeroMemory(output);
        return keys;
    }

    /// <summary>The sender-key message keys of a seed: IV = first 16 bytes, AES key = next 32 (no MAC key).</summary>
    public static MessageKeys GroupKeys(ReadOnlySpan<byte> seed)
    {
        Span<byte> output = stackalloc byte[2 * KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, output, ZeroSalt, WhisperGroup);
        var keys = new MessageKeys(output[16..48].ToArray(), [], output[..16].ToArray());
        CryptographicOperations.ZeroMemory(output);
        return keys;
    }
}

/// <summary>The keys of one message.</summary>
internal sealed record MessageKeys(byte[] CipherKey, byte[] MacKey, byte[] Iv);
