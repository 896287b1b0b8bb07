using WaSms.Core.Reset;

namespace WaSms.Storage;

/// <summary>The reset journal in the store's <c>pending_reset</c> table, which no wipe touches.</summary>
public sealed class StoreResetJournal(GatewayStore store) : IResetJournal
{
    public Task<ResetIntent?> ReadAsync(CancellationToken cancellationToken) => store.GetPendingResetAsync(cancellationToken);

    public Task RecordAsync(ResetIntent intent, CancellationToken cancellationToken) => store.SetPendingResetAsync(intent, cancellationToken);

    public Task ClearAsync(CancellationToken cancellationToken) => store.ClearPendingResetAsync(cancellationToken);
}
