using Microsoft.Extensions.Hosting.Systemd;
using WaSms.Core.Liveness;
using WaSms.Core.State;

namespace WaSms.Gateway.Hosting;

/// <summary>Observes the state machine and sends <c>STATUS=&lt;state&gt;: &lt;reason&gt;</c> on every change.</summary>
public sealed class SystemdStatusReporter(GatewayStateMachine machine, ISystemdNotifier notifier, LivenessMonitor liveness, TimeProvider time)
    : StateObserver(machine, liveness, time, "systemd-status")
{
    // Every change in order, not just the newest: a brief "resetting" belongs in the journal too.
    protected override bool EveryChange => true;

    protected override Task OnChangeAsync(GatewaySnapshot snapshot, CancellationToken cancellationToken)
    {
        notifier.Notify(new ServiceState("STATUS=" + Format(snapshot)));
        return Task.CompletedTask;
    }

    /// <summary>One line: newlines would end the sd_notify assignment.</summary>
    public static string Format(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return $"{snapshot.StateName}: {snapshot.Reason}".Replace('\n', ' ');
    }
}
