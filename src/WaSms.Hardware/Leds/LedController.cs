using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Hardware.Board;

namespace WaSms.Hardware.Leds;

/// <summary>Observes the state machine and shows each state's LED pattern.</summary>
public sealed class LedController(GatewayStateMachine machine, IBoard board, LivenessMonitor liveness, TimeProvider time)
    : StateObserver(machine, liveness, time, "leds")
{
    protected override Task OnChangeAsync(GatewaySnapshot snapshot, CancellationToken cancellationToken)
    {
        board.Leds.Show(LedPattern.For(snapshot.State));
        return Task.CompletedTask;
    }
}
