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

    /// <summary>
    /// The digest of the enrollment code last exchanged (<see cref="EnrollmentCodes.Digest"/>): a code is good once, so
    /// the provisioning file or configuration that still holds it must not send the gateway enrolling again after a
    /// restart (the platform would answer "already used" and hide why the gateway stopped).
    /// </summary>
    public const string SpentCodeSecret = "spent-code";

    /// <summary>Why the platform ended the enrollment (revoked, unknown): shown again after a restart until a new code arrives.</summary>
    public const string StoppedSecret = "stopped";

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

    /// <summary>
    /// Keeps the enrollment with the key and the spent code's digest; the tunnel's seq and command history start again
    /// (a new gateway id), and a stop reason is forgotten.
    /// </summary>
    public Task SaveEnrollmentAsync(ECDsa key, Enrollment enrollment, string? spentCodeDigest, CancellationToken cancellationToken)
    {
        var secrets = new Dictionary<string, byte[]>
        {
            [KeySecret] = key.ExportPkcs8PrivateKey(),
            [GatewayIdSecret] = Encoding.UTF8.GetBytes(enrollment.GatewayId),
        };
        if (spentCodeDigest is not null)
        {
            secrets[SpentCodeSecret] = Encoding.UTF8.GetBytes(spentCodeDigest);
        }
        if (enrollment.Account is { } account)
        {
            secrets[AccountSecret] = Encoding.UTF8.GetBytes(account);
        }
        return store.SaveEnrollmentAsync(secrets, cancellationToken);
    }

    /// <summary>
    /// Forgets the enrollment but keeps the key and the spent code's digest (the platform said the gateway id is unknown or
    /// revoked), and keeps <paramref name="reason"/> to show after a restart.
    /// </summary>
    public async Task ForgetEnrollmentAsync(string reason, CancellationToken cancellationToken)
    {
        var secrets = await store.GetSecretsAsync(SecretScopes.Platform, cancellationToken);
        var kept = secrets.Where(s => s.Key is KeySecret or SpentCodeSecret).ToDictionary(s => s.Key, s => s.Value);
        kept[StoppedSecret] = Encoding.UTF8.GetBytes(reason);
        await store.ReplaceSecretsAsync(SecretScopes.Platform, kept, cancellationToken);
    }

    /// <summary>The spent code's digest and the stop reason kept by <see cref="ForgetEnrollmentAsync"/>; nulls when none.</summary>
    public async Task<(string? SpentCodeDigest, string? Stopped)> GetEnrollmentHistoryAsync(CancellationToken cancellationToken)
    {
        var secrets = await store.GetSecretsAsync(SecretScopes.Platform, cancellationToken);
        return (secrets.TryGetValue(SpentCodeSecret, out var spent) ? Encoding.UTF8.GetString(spent) : null,
            secrets.TryGetValue(StoppedSecret, out var stopped) ? Encoding.UTF8.GetString(stopped) : null);
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
