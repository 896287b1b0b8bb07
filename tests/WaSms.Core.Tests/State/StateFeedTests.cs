using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;

namespace WaSms.Core.Tests.State;

public sealed class StateFeedTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task EverySnapshotInOrder_AndAThrowingIntakeFaultsCompletion()
    {
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var seen = new List<GatewayState>();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var feed = new StateFeed(machine, _time, snapshot =>
        {
            lock (seen)
            {
                seen.Add(snapshot.State);
            }

            if (snapshot.State == GatewayState.Unpaired)
            {
                failed.TrySetResult();
                throw new InvalidOperationException("intake broke");
            }
        });
        await feed.StartAsync(CancellationToken.None);

        Assert.True(machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Not linked")));
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await feed.StopAsync(CancellationToken.None); // BackgroundService.StopAsync does not rethrow…

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => feed.Completion); // …Completion does
        Assert.Equal("intake broke", error.Message);
        lock (seen)
        {
            Assert.Equal(GatewayState.Unpaired, seen[^1]);
        }
    }

    [Fact]
    public async Task RacingPublishers_ReachASubscriberInSequenceOrder()
    {
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        using var subscription = machine.Subscribe();
        var until = _time.GetUtcNow().AddMinutes(1);
        var reader = Task.Run(async () =>
        {
            var last = -1L;
            var outOfOrder = 0;
            while (await subscription.Reader.WaitToReadAsync())
            {
                while (subscription.Reader.TryRead(out var snapshot))
                {
                    if (snapshot.Sequence <= last)
                    {
                        outOfOrder++;
                    }

                    last = snapshot.Sequence;
                    if (last == 4 * 2000)
                    {
                        return outOfOrder;
                    }
                }
            }

            return outOfOrder;
        });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                machine.Post(new SetupNotice($"key{t}", i, "racing", until));
            }
        })));

        Assert.Equal(0, await reader.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
