using Microsoft.Extensions.Logging;
using WaSms.Core.State;

namespace WaSms.Core.Reset;

/// <summary>
/// The one reset path, shared by the button, <c>wasms-gateway reset</c> and (later) the platform's
/// "Reset gateway" command: flush every participant, refuse to lose data silently, wipe, re-pair.
/// </summary>
public sealed class ResetCoordinator(
    GatewayStateMachine machine,
    IEnumerable<IResetParticipant> participants,
    TimeProvider time,
    ILogger<ResetCoordinator> log) : IDisposable
{
    /// <summary>How long a "discard N undelivered items?" question stays open for a second request.</summary>
    public static readonly TimeSpan ConfirmationWindow = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private (ResetKind Kind, DateTimeOffset Until)? _pendingConfirmation;

    public async Task<ResetOutcome> ResetAsync(ResetKind kind, string origin, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var what = kind == ResetKind.FactoryReset ? "Factory reset" : "Relink";
            if (!machine.TryFire(new StateChange(GatewayTrigger.ResetRequested, $"{what} requested ({origin})")))
            {
                return new ResetOutcome(false, 0, $"{what} is not possible while {machine.Current.StateName}");
            }

            var confirmed = _pendingConfirmation is { } p && p.Kind == kind && time.GetUtcNow() <= p.Until;
            _pendingConfirmation = null;

            var undelivered = 0;
            foreach (var participant in participants)
            {
                undelivered += await participant.FlushAsync(kind, cancellationToken);
            }

            if (undelivered > 0 && !confirmed)
            {
                _pendingConfirmation = (kind, time.GetUtcNow() + ConfirmationWindow);
                var question = $"{what} stopped: {undelivered} undelivered item(s) would be lost. " +
                               $"Request it again within {ConfirmationWindow.TotalSeconds:0} s to discard them.";
                log.LogWarning("{Question}", question);
                machine.TryFire(new StateChange(GatewayTrigger.ResetCancelled, question));
                return new ResetOutcome(false, undelivered, question);
            }

            if (undelivered > 0)
            {
                log.LogWarning("{What}: discarding {Count} undelivered item(s) as confirmed", what, undelivered);
            }
            foreach (var participant in participants)
            {
                await participant.WipeAsync(kind, cancellationToken);
                log.LogInformation("{What}: wiped {Participant}", what, participant.Name);
            }

            var done = $"{what} done; link WhatsApp again";
            machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, done));
            foreach (var participant in participants)
            {
                await participant.ResumeAsync(kind, cancellationToken);
            }
            return new ResetOutcome(true, undelivered, done);
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

    public void Dispose() => _oneAtATime.Dispose();
}
