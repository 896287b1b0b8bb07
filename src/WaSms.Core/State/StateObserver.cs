using Microsoft.Extensions.Hosting;
using WaSms.Core.Liveness;

namespace WaSms.Core.State;

/// <summary>
/// The one way to observe the gateway: subscribes to the machine, hands each snapshot (with its
/// notices) to <see cref="OnChangeAsync"/>, and as a critical loop wakes at least every
/// <see cref="WakeInterval"/> to prove it is alive. The LEDs, systemd STATUS and MQTT derive from it
/// (the tunnel will too); a hung critical handler stops the watchdog pings.
/// </summary>
/// <param name="liveness">Null for an observer that must not hold the watchdog (MQTT: a slow broker is no hung gateway).</param>
public abstract class StateObserver(GatewayStateMachine machine, LivenessMonitor? liveness, TimeProvider time, string loopName) : BackgroundService
{
    public static readonly TimeSpan WakeInterval = TimeSpan.FromSeconds(10);

    /// <summary>True to see every change in order; false to skip straight to the newest snapshot.</summary>
    protected virtual bool EveryChange => false;

    protected abstract Task OnChangeAsync(GatewaySnapshot snapshot, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = liveness?.Register(loopName, WakeInterval * 3);
        using var subscription = machine.Subscribe();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await subscription.Reader.WaitToReadAsync(WakeInterval, time, stoppingToken))
                {
                    if (EveryChange)
                    {
                        while (subscription.Reader.TryRead(out var snapshot))
                        {
                            await OnChangeAsync(snapshot, stoppingToken);
                        }
                    }
                    else
                    {
                        await OnChangeAsync(await subscription.NextAsync(stoppingToken), stoppingToken);
                    }
                }
                heartbeat?.Beat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
