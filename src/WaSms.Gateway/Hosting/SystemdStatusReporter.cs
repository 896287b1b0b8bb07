using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using WaSms.Core.Liveness;
using WaSms.Core.State;

namespace WaSms.Gateway.Hosting;

/// <summary>Observes the state machine and sends <c>STATUS=&lt;state&gt;: &lt;reason&gt;</c> on every change.</summary>
public sealed class SystemdStatusReporter(GatewayStateMachine machine, ISystemdNotifier notifier, LivenessMonitor liveness, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = liveness.Register("systemd-status", TimeSpan.FromSeconds(30));
        using var subscription = machine.Subscribe();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Every change in order (not just the newest): a brief "resetting" belongs in the journal too.
                if (await subscription.Reader.WaitToReadAsync(TimeSpan.FromSeconds(10), time, stoppingToken))
                {
                    while (subscription.Reader.TryRead(out var snapshot))
                    {
                        notifier.Notify(new ServiceState("STATUS=" + Format(snapshot)));
                    }
                }
                heartbeat.Beat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One line: newlines would end the sd_notify assignment.</summary>
    public static string Format(GatewaySnapshot snapshot) =>
        $"{snapshot.StateName}: {snapshot.Reason}".Replace('\n', ' ');
}
