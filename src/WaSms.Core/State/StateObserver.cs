using Microsoft.Extensions.Hosting;
using WaSms.Core.Liveness;

namespace WaSms.Core.State;

/// <summary>
/// A critical loop that reacts to state changes: subscribes to the machine, wakes at least every
/// <see cref="WakeInterval"/> to prove it is alive, and hands each snapshot to <see cref="OnChangeAsync"/>.
/// LEDs, systemd STATUS and MQTT state derive from it; a hung handler stops the watchdog pings.
/// </summary>
public abstract class StateObserver(GatewayStateMachine machine, LivenessMonitor liveness, TimeProvider time, string loopName) : BackgroundService
{
    public static readonly TimeSpan WakeInterval = TimeSpan.FromSeconds(10);

    /// <summary>True to see every change in order; false to skip straight to the newest snapshot.</summary>
    protected virtual bool EveryChange => false;

    protected abstract Task OnChangeAsync(GatewaySnapshot snapshot, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = liveness.Register(loopName, WakeInterval * 3);
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
                heartbeat.Beat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
