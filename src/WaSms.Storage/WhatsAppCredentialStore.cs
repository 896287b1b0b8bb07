using System.Buffers.Binary;
using System.Text;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// The WhatsApp client's credentials in the <c>whatsapp</c> secret scope: saved as a whole in one
/// transaction, so a power cut leaves the old set or the new one (GatewayStore.ReplaceSecretsAsync).
/// </summary>
public sealed class WhatsAppCredentialStore(GatewayStore store) : IWaCredentialStore
{
    public async Task<WaCredentials?> LoadAsync(CancellationToken cancellationToken)
    {
        var values = await store.GetSecretsAsync(SecretScopes.WhatsApp, cancellationToken);
        if (values.Count == 0)
        {
            return null;
        }
        byte[] Required(string name) => values.TryGetValue(name, out var value)
            ? value
            : throw new StoreException($"Stored WhatsApp credentials lack \"{name}\"; the set is unusable");
        string? Text(string name) => values.TryGetValue(name, out var value) ? Encoding.UTF8.GetString(value) : null;
        Jid? JidOf(string name) => Text(name) is { } text ? Jid.Parse(text) : null;
        ReadOnlyMemory<byte> Optional(string name) => values.TryGetValue(name, out var value) ? value : default;

        return new WaCredentials(
            Curve25519KeyPair.FromPrivateKey(Required("noise-key")),
            Curve25519KeyPair.FromPrivateKey(Required("identity-key")),
            Curve25519KeyPair.FromPrivateKey(Required("signed-prekey")),
            BinaryPrimitives.ReadUInt32BigEndian(Required("signed-prekey-id")),
            Required("signed-prekey-signature"),
            BinaryPrimitives.ReadUInt32BigEndian(Required("registration-id")),
            Required("adv-secret"),
            JidOf("jid"),
            JidOf("lid"),
            Optional("account"),
            Optional("account-signature-key"),
            Text("platform"),
            Text("business-name"));
    }

    public Task SaveAsync(WaCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["noise-key"] = credentials.NoiseKey.PrivateKey.ToArray(),
            ["identity-key"] = credentials.IdentityKey.PrivateKey.ToArray(),
            ["signed-prekey"] = credentials.SignedPreKey.PrivateKey.ToArray(),
            ["signed-prekey-id"] = BigEndian(credentials.SignedPreKeyId),
            ["signed-prekey-signature"] = credentials.SignedPreKeySignature.ToArray(),
            ["registration-id"] = BigEndian(credentials.RegistrationId),
            ["adv-secret"] = credentials.AdvSecret.ToArray(),
        };
        void Put(string name, string? text)
        {
            if (text is not null)
            {
                values[name] = Encoding.UTF8.GetBytes(text);
            }
        }
        Put("jid", credentials.Jid?.ToString());
        Put("lid", credentials.Lid?.ToString());
        Put("platform", credentials.Platform);
        Put("business-name", credentials.BusinessName);
        if (!credentials.Account.IsEmpty)
        {
            values["account"] = credentials.Account.ToArray();
        }
        if (!credentials.AccountSignatureKey.IsEmpty)
        {
            values["account-signature-key"] = credentials.AccountSignatureKey.ToArray();
        }
        return store.ReplaceSecretsAsync(SecretScopes.WhatsApp, values, cancellationToken);
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
