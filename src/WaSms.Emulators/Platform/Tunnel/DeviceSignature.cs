using System.Security.Cryptography;
using System.Text;

namespace WaSms.Emulators.Platform.Tunnel;

/// <summary>The device key's proofs (docs/tunnel.md §3–§4): ECDSA P-256 with SHA-256, DER signatures, over fixed strings.</summary>
public static class DeviceSignature
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>The exact string an <c>enroll</c> signs.</summary>
    public static string EnrollPayload(string nonce, string code) => "wasms-tunnel-v1 enroll\n" + nonce + "\n" + code;

    /// <summary>The exact string a <c>hello</c> signs.</summary>
    public static string HelloPayload(string nonce, string gatewayId) => "wasms-tunnel-v1 hello\n" + nonce + "\n" + gatewayId;

    /// <summary>True when <paramref name="publicKey"/> is a SubjectPublicKeyInfo of a P-256 key.</summary>
    public static bool IsP256PublicKey(byte[] publicKey)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(publicKey, out var read);
            return read == publicKey.Length && key.ExportParameters(false).Curve.Oid.Value == P256Oid;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Verifies a DER-encoded signature over the UTF-8 bytes of <paramref name="payload"/>; false for any malformed input.</summary>
    public static bool Verify(byte[] publicKey, string payload, byte[] signature)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
            return key.VerifyData(Encoding.UTF8.GetBytes(payload), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
