using WaSms.Core.State;

namespace WaSms.Gateway.Tests.Support;

/// <summary>Waiting for the state machine to reach a snapshot, with the last state in the failure.</summary>
internal static class StateWaits
{
    /// <summary>The first snapshot on <paramref name="subscription"/> that matches, within <paramref name="seconds"/>.</summary>
    public static async Task<GatewaySnapshot> WaitForAsync(this StateSubscription subscription, GatewayStateMachine machine, Func<GatewaySnapshot, bool> match, int seconds = 20)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var snapshot = await subscription.Reader.ReadAsync(timeout.Token);
                if (match(snapshot))
                {
                    return snapshot;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"state never matched within {seconds} s; last: {machine.Current}");
        }
    }

    /// <summary>The current or a later snapshot of <paramref name="machine"/> that matches.</summary>
    public static async Task<GatewaySnapshot> WaitForAsync(this GatewayStateMachine machine, Func<GatewaySnapshot, bool> match, int seconds = 20)
    {
        using var subscription = machine.Subscribe();
        return await subscription.WaitForAsync(machine, match, seconds);
    }
}
