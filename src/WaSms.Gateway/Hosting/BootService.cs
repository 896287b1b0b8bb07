using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Reset;
using WaSms.Core.State;
using WaSms.Storage;

namespace WaSms.Gateway.Hosting;

/// <summary>
/// Leaves <c>booting</c> once the store is open: first finishes a reset a crash interrupted (which
/// ends unpaired), otherwise to <c>connecting</c> when a WhatsApp session is stored, to
/// <c>unpaired</c> otherwise; then shows the platform's stored update offer again (unless it is the version now running)
/// and reports how the last update ended (installed, or rolled back). Runs before READY=1 is sent.
/// </summary>
public sealed class BootService(GatewayStateMachine machine, GatewayStore store, IWhatsAppSessionStore session, ResetCoordinator reset,
    Configuration.UpdatesOptions updates, TimeProvider time, ILogger<BootService> log) : IHostedService
{
    /// <summary>When this boot of the system began (the monotonic clock counts from it), for the update report.</summary>
    private DateTimeOffset BootedAt => time.GetUtcNow() - TimeSpan.FromMilliseconds(Environment.TickCount64);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DecideStateAsync(cancellationToken);
        // The platform's last update offer shows again after a restart (after the reset: a wipe takes it along).
        await Updates.UpdateOffers.RestoreAsync(store, machine, Control.StatusProvider.Version, cancellationToken);
        await Updates.UpdateOutcomes.RestoreAsync(store, machine, Control.StatusProvider.Version, updates.FailureFile, BootedAt, time.GetUtcNow(),
            log, cancellationToken, Updates.UpdateOutcomes.CurrentBootId());
    }

    private async Task DecideStateAsync(CancellationToken cancellationToken)
    {
        if (await reset.FinishInterruptedAsync(cancellationToken) is not null)
        {
            return; // the reset decided the state: unpaired, or fatal when its wipe failed
        }
        if (await session.HasSessionAsync(cancellationToken))
        {
            machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting to WhatsApp"));
            return;
        }
        var reason = store.MovedAsideTo is { } moved
            ? $"The database was damaged and set aside ({Path.GetFileName(moved)}); link WhatsApp again"
            : "Not linked to WhatsApp yet";
        machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, reason));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
