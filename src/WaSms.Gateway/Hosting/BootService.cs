using Microsoft.Extensions.Hosting;
using WaSms.Core.Reset;
using WaSms.Core.State;
using WaSms.Storage;

namespace WaSms.Gateway.Hosting;

/// <summary>
/// Leaves <c>booting</c> once the store is open: first finishes a reset a crash interrupted (which
/// ends unpaired), otherwise to <c>connecting</c> when a WhatsApp session is stored, to
/// <c>unpaired</c> otherwise; then shows the platform's stored update offer again (unless it is the version now running). Runs before READY=1 is sent.
/// </summary>
public sealed class BootService(GatewayStateMachine machine, GatewayStore store, IWhatsAppSessionStore session, ResetCoordinator reset) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DecideStateAsync(cancellationToken);
        // The platform's last update offer shows again after a restart (after the reset: a wipe takes it along).
        await Updates.UpdateOffers.RestoreAsync(store, machine, Control.StatusProvider.Version, cancellationToken);
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
