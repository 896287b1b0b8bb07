namespace WaSms.Core.Reset;

/// <summary>A reset that has passed its confirmation point and is about to wipe.</summary>
/// <param name="Kind">Relink or factory reset.</param>
/// <param name="DiscardConfirmed">True when the customer confirmed discarding undelivered items.</param>
/// <param name="Origin">Who asked ("button", "wasms-gateway reset"), for the log.</param>
/// <param name="StartedAt">When the wipe started.</param>
public sealed record ResetIntent(ResetKind Kind, bool DiscardConfirmed, string Origin, DateTimeOffset StartedAt);

/// <summary>
/// Durable record of a reset in progress: written before the first participant wipes, cleared after
/// the last one has. A crash or power cut in between leaves it behind, and the next start finishes the
/// reset (<see cref="ResetCoordinator.FinishInterruptedAsync"/>) instead of coming back half reset
/// (logged out of WhatsApp, but still holding the session).
/// </summary>
public interface IResetJournal
{
    /// <summary>The unfinished reset, or null.</summary>
    Task<ResetIntent?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Records <paramref name="intent"/> durably (replacing any older one, except that a pending factory reset stays a factory reset).</summary>
    Task RecordAsync(ResetIntent intent, CancellationToken cancellationToken);

    /// <summary>Forgets the recorded reset: every participant has wiped.</summary>
    Task ClearAsync(CancellationToken cancellationToken);
}
