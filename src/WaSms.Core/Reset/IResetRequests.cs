namespace WaSms.Core.Reset;

/// <summary>
/// The one way to ask for a reset. The button (a 5 s or 15 s hold), <c>wasms-gateway reset</c> and the
/// platform tunnel's "reset gateway" command each call <see cref="ResetAsync"/> and nothing else:
/// <see cref="ResetCoordinator"/> decides, the participants wipe, and what the customer must be told
/// (the "discard N items?" question) reaches every observer through the state machine.
/// </summary>
public interface IResetRequests
{
    /// <param name="kind">Relink or factory reset.</param>
    /// <param name="origin">Who asked ("button held", "wasms-gateway reset"), for the log and the state's reason.</param>
    /// <param name="cancellationToken">Stops waiting; a reset past its confirmation point is finished at the next start.</param>
    Task<ResetOutcome> ResetAsync(ResetKind kind, string origin, CancellationToken cancellationToken);
}
