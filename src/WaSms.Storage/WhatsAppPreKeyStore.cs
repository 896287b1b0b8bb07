using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Crypto;

namespace WaSms.Storage;

/// <summary>
/// The WhatsApp client's one-time prekeys as numbered keys of the <c>whatsapp</c> scope, so a
/// relink or factory reset wipes them with the rest of the session.
/// </summary>
public sealed class WhatsAppPreKeyStore(GatewayStore store) : IPreKeyStore
{
    public async Task<IReadOnlyList<PreKey>> GetOrCreateUnuploadedAsync(int count, CancellationToken cancellationToken)
    {
        var keys = await store.GetOrCreateUnuploadedKeysAsync(
            SecretScopes.WhatsApp, count, PreKey.MaxId, () => Curve25519KeyPair.Generate().PrivateKey.ToArray(), cancellationToken);
        return [.. keys.Select(k => new PreKey(k.Id, Curve25519KeyPair.FromPrivateKey(k.PrivateKey)))];
    }

    public Task MarkUploadedAsync(IReadOnlyCollection<uint> ids, CancellationToken cancellationToken) =>
        store.MarkKeysUploadedAsync(SecretScopes.WhatsApp, ids, cancellationToken);

    public Task<int> CountUploadedAsync(CancellationToken cancellationToken) =>
        store.CountUploadedKeysAsync(SecretScopes.WhatsApp, cancellationToken);

    public async Task<PreKey?> GetAsync(uint id, CancellationToken cancellationToken) =>
        await store.GetKeyAsync(SecretScopes.WhatsApp, id, cancellationToken) is { } key
            ? new PreKey(key.Id, Curve25519KeyPair.FromPrivateKey(key.PrivateKey))
            : null;

    public Task RemoveAsync(uint id, CancellationToken cancellationToken) =>
        store.RemoveKeyAsync(SecretScopes.WhatsApp, id, cancellationToken);
}
