using Microsoft.Extensions.Hosting;
using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Hardware.Board;

namespace WaSms.Hardware.Leds;

/// <summary>Observes the state machine and shows each state's LED pattern.</summary>
public sealed class LedController(GatewayStateMachine machine, IBoard board, LivenessMonitor liveness, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = liveness.Register("leds", TimeSpan.FromSeconds(30));
        using var subscription = machine.Subscribe();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await subscription.Reader.WaitToReadAsync(TimeSpan.FromSeconds(10), time, stoppingToken))
                {
                    var snapshot = await subscription.NextAsync(stoppingToken);
                    board.Leds.Show(LedPattern.For(snapshot.State));
                }
                heartbeat.Beat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
