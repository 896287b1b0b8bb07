using Microsoft.Extensions.Logging;
using WaSms.Core.State;

namespace WaSms.Core.Reset;

/// <summary>
/// The one reset path (<see cref="IResetRequests"/>), shared by the button, <c>wasms-gateway reset</c>
/// and the platform's reset command (which records the reset in the journal before it answers): flush every participant, refuse to lose data
/// silently (the question goes into the state as a <see cref="ResetNotice"/>, so the screen and every
/// other observer see it), record the reset in the journal, let each participant wipe what it owns,
/// once, clear the journal, re-pair. A reset a crash interrupted after it was recorded is finished on
/// the next start (<see cref="FinishInterruptedAsync"/>).
/// </summary>
/// <param name="journal">Where the reset in progress is recorded; the host passes the store's.
/// Null (tests of other parts) records nothing.</param>
public sealed class ResetCoordinator(
    GatewayStateMachine machine,
    IEnumerable<IResetParticipant> participants,
    TimeProvider time,
    ILogger<ResetCoordinator> log,
    IResetJournal? journal = null) : IResetRequests, IDisposable
{
    /// <summary>How long a "discard N undelivered items?" question stays open for a second request.</summary>
    public static readonly TimeSpan ConfirmationWindow = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The words of the "discard N undelivered items?" question, by which the CLI tells it (exit 2)
    /// from a reset refused for another reason (exit 1).
    /// </summary>
    public const string UndeliveredQuestion = "undelivered item(s) would be lost";

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private (ResetKind Kind, DateTimeOffset Until)? _pendingConfirmation;

    public async Task<ResetOutcome> ResetAsync(ResetKind kind, string origin, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            // A factory reset whose wipe failed is still pending: a relink asked now must not replace
            // it (that would keep the platform data the customer asked to erase), so it runs as one.
            var recorded = journal is null ? null : await journal.ReadAsync(cancellationToken);
            if (kind == ResetKind.Relink && recorded is { Kind: ResetKind.FactoryReset } pending)
            {
                log.LogWarning("Relink requested ({Origin}) while the factory reset requested at {StartedAt:u} is unfinished; doing the factory reset",
                    origin, pending.StartedAt);
                kind = ResetKind.FactoryReset;
            }
            var what = Describe(kind);
            // A reset recorded already decided (the platform's command records it before answering, docs/tunnel.md
            // §7.1) is not asked about again: the dashboard's action was the customer's confirmation.
            var confirmed = (recorded is { DiscardConfirmed: true } decided && decided.Kind == kind)
                            || (_pendingConfirmation is { } p && p.Kind == kind && time.GetUtcNow() <= p.Until);
            // Asked again in time: the question is answered, so it closes (a lapsed notice replaces it)
            // and the screen goes on to what the reset brings, e.g. the new QR.
            var answered = confirmed ? new ResetNotice(kind == ResetKind.FactoryReset, 0, time.GetUtcNow()) : null;
            if (!machine.TryFire(new StateChange(GatewayTrigger.ResetRequested, $"{what} requested ({origin})", Notice: answered)))
            {
                return new ResetOutcome(false, 0, $"{what} is not possible while {machine.Current.StateName}");
            }

            _pendingConfirmation = null;

            var undelivered = 0;
            foreach (var participant in participants)
            {
                undelivered += await participant.FlushAsync(kind, cancellationToken);
            }

            if (undelivered > 0 && !confirmed)
            {
                var until = time.GetUtcNow() + ConfirmationWindow;
                _pendingConfirmation = (kind, until);
                var question = $"{what} stopped: {undelivered} {UndeliveredQuestion}. " +
                               $"Request it again within {ConfirmationWindow.TotalSeconds:0} s to discard them.";
                log.LogWarning("{Question}", question);
                machine.TryFire(new StateChange(GatewayTrigger.ResetCancelled, question,
                    Notice: new ResetNotice(kind == ResetKind.FactoryReset, undelivered, until)));
                return new ResetOutcome(false, undelivered, question);
            }

            if (undelivered > 0)
            {
                log.LogWarning("{What}: discarding {Count} undelivered item(s) as confirmed", what, undelivered);
            }
            // From here on the reset is decided: a crash must not leave it half done (logged out of
            // WhatsApp but still holding the session), so the next start finishes what is recorded.
            if (journal is not null)
            {
                await journal.RecordAsync(new ResetIntent(kind, undelivered > 0, origin, time.GetUtcNow()), cancellationToken);
            }
            return await WipeAndResumeAsync(kind, undelivered, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError(ex, "Reset failed");
            machine.TryFire(new StateChange(GatewayTrigger.Fail, $"Reset failed: {ex.Message}"));
            throw;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// Finishes a reset the journal says was interrupted (kill, power cut, crash between its first
    /// and last wipe), the same way and of the same kind: called at start-up before the first state
    /// is decided. It does not ask again: the reset passed its confirmation point before it was
    /// recorded, and WhatsApp may already have dropped the session.
    /// </summary>
    /// <returns>Null when no reset was pending; otherwise how it ended (the state is then unpaired,
    /// or fatal when a wipe failed; the journal keeps the reset for the next start or reset).</returns>
    public async Task<ResetOutcome?> FinishInterruptedAsync(CancellationToken cancellationToken)
    {
        if (journal is null || await journal.ReadAsync(cancellationToken) is not { } intent)
        {
            return null;
        }
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var what = Describe(intent.Kind);
            log.LogWarning("{What} requested at {StartedAt:u} ({Origin}) was interrupted; finishing it", what, intent.StartedAt, intent.Origin);
            var undelivered = 0;
            foreach (var participant in participants)
            {
                undelivered += await participant.FlushAsync(intent.Kind, cancellationToken);
            }
            if (undelivered > 0 && intent.DiscardConfirmed)
            {
                log.LogWarning("{What}: discarding {Count} undelivered item(s) as confirmed", what, undelivered);
            }
            else if (undelivered > 0)
            {
                log.LogWarning("{What}: discarding {Count} item(s) queued after the reset had started", what, undelivered);
            }
            return await WipeAndResumeAsync(intent.Kind, undelivered, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError(ex, "Finishing the interrupted reset failed");
            machine.TryFire(new StateChange(GatewayTrigger.Fail, $"Reset failed: {ex.Message}"));
            return new ResetOutcome(false, 0, $"Reset failed: {ex.Message}");
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Every participant wipes, the journal is cleared, the state goes to unpaired, every participant resumes.</summary>
    private async Task<ResetOutcome> WipeAndResumeAsync(ResetKind kind, int undelivered, CancellationToken cancellationToken)
    {
        var what = Describe(kind);
        foreach (var participant in participants)
        {
            await participant.WipeAsync(kind, cancellationToken);
            log.LogInformation("{What}: wiped {Participant}", what, participant.Name);
        }
        if (journal is not null)
        {
            await journal.ClearAsync(cancellationToken);
        }

        var done = $"{what} done; link WhatsApp again";
        machine.TryFire(new StateChange(GatewayTrigger.ResetDone, done));
        foreach (var participant in participants)
        {
            await participant.ResumeAsync(kind, cancellationToken);
        }
        return new ResetOutcome(true, undelivered, done);
    }

    private static string Describe(ResetKind kind) => kind == ResetKind.FactoryReset ? "Factory reset" : "Relink";

    public void Dispose() => _oneAtATime.Dispose();
}
