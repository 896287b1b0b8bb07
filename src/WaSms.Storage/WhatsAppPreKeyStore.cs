using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// The WhatsApp client's one-time prekeys as numbered keys of the <c>whatsapp</c> scope, so a
/// relink or factory reset wipes them with the rest of the session.
/// </summary>
public sealed class WhatsAppPreKeyStore(GatewayStore store) : IPreKeyStore
{
    public async Task<IReadOnlyList<PreKey>> GetOrCreateUnuploadedAsync(int count, CancellationToken cancellationToken)
    {
        var keys = await store.GetOrCreateUnuploadedKeysAsync(SecretScopes.WhatsApp, count, PreKey.MaxId, NewKeyPair, cancellationToken);
        return [.. keys.Select(ToPreKey)];
    }

    public Task MarkUploadedAsync(IReadOnlyCollection<uint> ids, CancellationToken cancellationToken) =>
        store.MarkKeysUploadedAsync(SecretScopes.WhatsApp, ids, cancellationToken);

    public Task<int> CountUploadedAsync(CancellationToken cancellationToken) =>
        store.CountUploadedKeysAsync(SecretScopes.WhatsApp, cancellationToken);

    public async Task<PreKey?> GetAsync(uint id, CancellationToken cancellationToken) =>
        await store.GetKeyAsync(SecretScopes.WhatsApp, id, cancellationToken) is { } key ? ToPreKey(key) : null;

    public Task RemoveAsync(uint id, CancellationToken cancellationToken) =>
        store.RemoveKeyAsync(SecretScopes.WhatsApp, id, cancellationToken);

    private static (byte[] PrivateKey, byte[] PublicKey) NewKeyPair()
    {
        var pair = Curve25519KeyPair.Generate();
        return (pair.PrivateKey.ToArray(), pair.PublicKey.ToArray());
    }

    private static PreKey ToPreKey(NumberedKey key) => new(key.Id, Curve25519KeyPair.FromStoredKeys(key.PrivateKey, key.PublicKey));
}
