using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>Keepalive on a fake clock: pings every 20–30 s, a 10 s deadline, and a drop after 3 minutes of silence.</summary>
public sealed class KeepAliveTests
{
    [Fact]
    public async Task DroppedPings_TimeOutThenDisconnectAfterThreeMinutes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", CultureInfo.InvariantCulture));
        await using var harness = EmulatorHarness.Start(time);
        var emulator = harness.Emulator;
        var client = harness.NewClient(timeout: TimeSpan.FromSeconds(60)).Start();
        var (events, run) = (client.Events, client.Run);
        await client.LinkAsync(harness.Phone());

        // Answered pings: no timeout events.
        await AdvanceUntilAsync(time, run, () => emulator.PingCount >= 2, TimeSpan.FromSeconds(70));
        Assert.DoesNotContain(events.All, e => e is KeepAliveTimeout);

        emulator.DropPings = true;
        await AdvanceUntilAsync(time, run, () => events.All.OfType<KeepAliveTimeout>().Any(), TimeSpan.FromSeconds(45));
        Assert.Equal(1, events.All.OfType<KeepAliveTimeout>().First().ErrorCount);

        emulator.DropPings = false;
        await AdvanceUntilAsync(time, run, () => events.All.OfType<KeepAliveRestored>().Any(), TimeSpan.FromSeconds(45));

        emulator.DropPings = true;
        await AdvanceUntilAsync(time, run, () => run.IsCompleted, TimeSpan.FromMinutes(5));
        Assert.Equal(ConnectionOutcome.Ended, await run);
        var disconnected = Assert.IsType<Disconnected>(events.All[^1]);
        Assert.IsType<TimeoutException>(disconnected.Exception);
    }

    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Task run, Func<bool> done, TimeSpan limit)
    {
        var elapsed = TimeSpan.Zero;
        while (!done() && elapsed < limit)
        {
            await Task.Delay(5);
            if (done() || (run.IsCompleted && !done()))
            {
                break;
            }

            time.Advance(TimeSpan.FromSeconds(1));
            elapsed += TimeSpan.FromSeconds(1);
            await Task.Delay(5);
        }

        Assert.True(done(), $"Not done after {elapsed} of fake time.");
    }
}
