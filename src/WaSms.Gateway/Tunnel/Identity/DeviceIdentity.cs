using System.Security.Cryptography;
using System.Text;
using WaSms.Storage;

namespace WaSms.Gateway.Tunnel.Identity;

/// <summary>The platform's id for this gateway and the dashboard account, once enrolled.</summary>
public sealed record Enrollment(string GatewayId, string? Account);

/// <summary>
/// The gateway's ECDSA P-256 device key and its enrollment (docs/tunnel.md §3–§4), kept in the store's
/// <see cref="SecretScopes.Platform"/> scope (a factory reset wipes it). The private key is made here and
/// never leaves the store except as signatures; it never reaches a log or an exception message.
/// </summary>
public sealed class DeviceIdentity(GatewayStore store)
{
    public const string KeySecret = "device-key", GatewayIdSecret = "gateway-id", AccountSecret = "account";

    /// <summary>The prefix of every signed string; the purpose ("enroll", "hello") follows.</summary>
    public const string SignaturePrefix = "wasms-tunnel-v1 ";

    /// <summary>The stored enrollment, or null when the gateway has none.</summary>
    public async Task<Enrollment?> GetEnrollmentAsync(CancellationToken cancellationToken)
    {
        var secrets = await store.GetSecretsAsync(SecretScopes.Platform, cancellationToken);
        return secrets.TryGetValue(GatewayIdSecret, out var id) && secrets.ContainsKey(KeySecret)
            ? new Enrollment(Encoding.UTF8.GetString(id), secrets.TryGetValue(AccountSecret, out var account) ? Encoding.UTF8.GetString(account) : null)
            : null;
    }

    /// <summary>The device key, made (and stored) on first use.</summary>
    public async Task<ECDsa> GetOrCreateKeyAsync(CancellationToken cancellationToken)
    {
        var secrets = await store.GetSecretsAsync(SecretScopes.Platform, cancellationToken);
        var key = ECDsa.Create();
        if (secrets.TryGetValue(KeySecret, out var pkcs8))
        {
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        }
        key.GenerateKey(ECCurve.NamedCurves.nistP256);
        await store.ReplaceSecretsAsync(SecretScopes.Platform, new Dictionary<string, byte[]> { [KeySecret] = key.ExportPkcs8PrivateKey() }, cancellationToken);
        return key;
    }

    /// <summary>Keeps the enrollment with the key; the tunnel's seq and command history start again (a new gateway id).</summary>
    public Task SaveEnrollmentAsync(ECDsa key, Enrollment enrollment, CancellationToken cancellationToken)
    {
        var secrets = new Dictionary<string, byte[]>
        {
            [KeySecret] = key.ExportPkcs8PrivateKey(),
            [GatewayIdSecret] = Encoding.UTF8.GetBytes(enrollment.GatewayId),
        };
        if (enrollment.Account is { } account)
        {
            secrets[AccountSecret] = Encoding.UTF8.GetBytes(account);
        }
        return store.SaveEnrollmentAsync(secrets, cancellationToken);
    }

    /// <summary>Forgets the enrollment but keeps the key (the platform said the gateway id is unknown or revoked).</summary>
    public async Task ForgetEnrollmentAsync(CancellationToken cancellationToken)
    {
        var secrets = await store.GetSecretsAsync(SecretScopes.Platform, cancellationToken);
        var kept = secrets.Where(s => s.Key == KeySecret).ToDictionary(s => s.Key, s => s.Value);
        await store.ReplaceSecretsAsync(SecretScopes.Platform, kept, cancellationToken);
    }

    /// <summary>The public key as the doc sends it: SubjectPublicKeyInfo DER, standard base64.</summary>
    public static string PublicKeyOf(ECDsa key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    /// <summary>
    /// ECDSA P-256/SHA-256, DER, base64, over <c>"wasms-tunnel-v1 " + purpose + "\n" + nonce + "\n" + subject</c>
    /// (§3: purpose "enroll", subject the code; §4: "hello", the gateway id).
    /// </summary>
    public static string Sign(ECDsa key, string purpose, string nonce, string subject) =>
        Convert.ToBase64String(key.SignData(SignedBytes(purpose, nonce, subject), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    /// <summary>What the platform does with a signature: true when it is <paramref name="publicKey"/>'s over those strings.</summary>
    public static bool Verify(string publicKey, string signature, string purpose, string nonce, string subject)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
        return key.VerifyData(SignedBytes(purpose, nonce, subject), Convert.FromBase64String(signature), HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence);
    }

    private static byte[] SignedBytes(string purpose, string nonce, string subject) =>
        Encoding.UTF8.GetBytes(SignaturePrefix + purpose + "\n" + nonce + "\n" + subject);
}
