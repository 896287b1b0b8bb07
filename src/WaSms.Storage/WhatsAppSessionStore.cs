using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// What the WhatsApp link needs of the store, and no more: the session's credentials and prekeys,
/// whether one is stored, and forgetting it.
/// </summary>
public interface IWhatsAppSessionStore
{
    IWaCredentialStore Credentials { get; }

    IPreKeyStore PreKeys { get; }

    /// <summary>True when a linked session is stored (the gateway connects instead of showing a QR).</summary>
    Task<bool> HasSessionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the session: every row of the <c>whatsapp</c> scope (credentials, prekeys, Signal
    /// sessions, identities, sender keys, LID map), scrubbed from the files (GatewayStore.Wipe.cs).
    /// Messages stay: the history and the stream are kept, and sends still pending fail with reason
    /// <see cref="GatewayStore.RelinkedReason"/> (the next link may be another number). The one place a
    /// WhatsApp session is wiped: by a relink's store participant, and by the link after WhatsApp
    /// itself logged the gateway out.
    /// </summary>
    Task ForgetAsync(CancellationToken cancellationToken);
}

/// <summary>The WhatsApp session in the store's <c>whatsapp</c> secret scope.</summary>
public sealed class WhatsAppSessionStore(GatewayStore store) : IWhatsAppSessionStore
{
    public IWaCredentialStore Credentials { get; } = new WhatsAppCredentialStore(store);

    public IPreKeyStore PreKeys { get; } = new WhatsAppPreKeyStore(store);

    public async Task<bool> HasSessionAsync(CancellationToken cancellationToken) =>
        (await store.GetSecretsAsync(SecretScopes.WhatsApp, cancellationToken)).Count > 0;

    // One transaction: a crash leaves both done or neither (the resumed reset or the next logout repeats it).
    public Task ForgetAsync(CancellationToken cancellationToken) =>
        store.ForgetScopeFailingSendsAsync(SecretScopes.WhatsApp, GatewayStore.RelinkedReason, cancellationToken);
}
