using WaSms.Core.Reset;

namespace WaSms.Storage;

/// <summary>
/// The store's part in a reset, the only participant that deletes rows: a relink forgets the
/// WhatsApp session (<see cref="IWhatsAppSessionStore.ForgetAsync"/>); a factory reset forgets
/// everything (and the old databases and enrollment code beside it), and counts queued items as
/// undelivered so they are never dropped unasked. Either wipe leaves nothing of the forgotten rows in
/// the files (GatewayStore.Wipe.cs). Sends not yet made are undelivered items of either reset: a
/// relink fails them (the next link may be another number), a factory reset forgets them.
/// </summary>
public sealed class StoreResetParticipant(GatewayStore store, IWhatsAppSessionStore session) : IResetParticipant
{
    public StoreResetParticipant(GatewayStore store)
        : this(store, new WhatsAppSessionStore(store))
    {
    }

    public string Name => "local database";

    public async Task<int> FlushAsync(ResetKind kind, CancellationToken cancellationToken)
    {
        var pendingSends = await store.CountPendingSendsAsync(cancellationToken);
        if (kind != ResetKind.FactoryReset)
        {
            return pendingSends;
        }
        var depths = await store.GetQueueDepthsAsync(cancellationToken);
        return (int)depths.Values.Sum() + pendingSends;
    }

    public async Task WipeAsync(ResetKind kind, CancellationToken cancellationToken)
    {
        if (kind != ResetKind.FactoryReset)
        {
            await session.ForgetAsync(cancellationToken);
            return;
        }
        await store.WipeEverythingAsync(cancellationToken);
        store.DeleteFactoryResetFiles();
    }

    public Task ResumeAsync(ResetKind kind, CancellationToken cancellationToken) => Task.CompletedTask;
}
