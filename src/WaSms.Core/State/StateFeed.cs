namespace WaSms.Core.State;

/// <summary>
/// A <see cref="StateObserver"/> that hands every snapshot, in order, to <paramref name="onChange"/>,
/// and is no critical loop: the state intake of an observer whose own loop is the critical one (the
/// display's drawing loop) or that must never hold the watchdog (MQTT: a slow broker is no hung gateway).
/// </summary>
public sealed class StateFeed(GatewayStateMachine machine, TimeProvider time, Action<GatewaySnapshot> onChange)
    : StateObserver(machine, liveness: null, time, "state-feed")
{
    protected override bool EveryChange => true;

    /// <summary>
    /// The feed's loop: completes when it stops, faults when <c>onChange</c> threw. Its owner awaits
    /// it after <see cref="Microsoft.Extensions.Hosting.BackgroundService.StopAsync"/> (which does not rethrow), so a failure is not lost.
    /// </summary>
    public Task Completion => ExecuteTask ?? Task.CompletedTask;

    protected override Task OnChangeAsync(GatewaySnapshot snapshot, CancellationToken cancellationToken)
    {
        onChange(snapshot);
        return Task.CompletedTask;
    }
}
