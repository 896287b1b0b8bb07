using System.Security.Cryptography;

namespace WaSms.WhatsApp.Signal;

/// <summary>AES-256-CBC with PKCS#7, as libsignal encrypts message bodies (docs/protocol/signal.md §5, §7).</summary>
internal static class SignalAes
{
    public static byte[] Encrypt(MessageKeys keys, ReadOnlySpan<byte> plaintext)
    {
        using var aes = Aes.Create();
        aes.Key = keys.CipherKey;
        return aes.EncryptCbc(plaintext, keys.Iv, PaddingMode.PKCS7);
    }

    /// <summary>Decrypts; a wrong length or padding is an invalid message.</summary>
    public static byte[] Decrypt(MessageKeys keys, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length == 0 || ciphertext.Length % 16 != 0)
        {
            throw new SignalException(SignalError.InvalidMessage, $"The ciphertext length {ciphertext.Length} is not a positive multiple of 16.");
        }

        using var aes = Aes.Create();
        aes.Key = keys.CipherKey;
        try
        {
            return aes.DecryptCbc(ciphertext, keys.Iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException e)
        {
            throw new SignalException(SignalError.InvalidMessage, "The ciphertext's PKCS#7 padding is invalid.", e);
        }
    }
}
