using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// The WhatsApp client's Signal state in the <c>whatsapp</c> scope (GatewayStore.Signal.cs), so a
/// relink or factory reset wipes it with the rest of the session.
/// </summary>
public sealed class WhatsAppSignalStore(GatewayStore store) : ISignalStore
{
    public Task<IReadOnlyDictionary<SignalAddress, byte[]>> LoadSessionsAsync(IReadOnlyCollection<SignalAddress> addresses, CancellationToken cancellationToken) =>
        store.LoadSessionsAsync(SecretScopes.WhatsApp, addresses, cancellationToken);

    public Task<byte[]?> LoadIdentityAsync(SignalAddress address, CancellationToken cancellationToken) =>
        store.LoadIdentityAsync(SecretScopes.WhatsApp, address, cancellationToken);

    public Task<byte[]?> LoadSenderKeyAsync(string group, SignalAddress sender, CancellationToken cancellationToken) =>
        store.LoadSenderKeyAsync(SecretScopes.WhatsApp, group, sender, cancellationToken);

    public Task<string?> GetLidUserAsync(string phoneUser, CancellationToken cancellationToken) =>
        store.GetLidUserAsync(SecretScopes.WhatsApp, phoneUser, cancellationToken);

    public Task<string?> GetPhoneUserAsync(string lidUser, CancellationToken cancellationToken) =>
        store.GetPhoneUserAsync(SecretScopes.WhatsApp, lidUser, cancellationToken);

    public Task CommitAsync(SignalChanges changes, CancellationToken cancellationToken) =>
        store.CommitSignalAsync(SecretScopes.WhatsApp, changes, cancellationToken);
}
