using Microsoft.Extensions.Time.Testing;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>Ref rotation on an injected clock: 60 s, then 20 s each, then the refs run out (docs/whatsapp.md §4.3).</summary>
public sealed class QrRotationTests
{
    [Fact]
    public async Task Refs_RotateOnTheWhatsAppScheduleThenRunOut()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var harness = EmulatorHarness.Start(time);
        var client = harness.NewClient(timeout: TimeSpan.FromSeconds(30)).Start();
        var (events, run) = (client.Events, client.Run);

        var first = await events.WaitForAsync<QrIssued>();
        Assert.Equal((1, TimeSpan.FromSeconds(60)), (first.RefNumber, first.ValidFor));
        var codes = new HashSet<string>(StringComparer.Ordinal) { first.Code };
        var previous = first;
        for (var n = 2; n <= 6; n++)
        {
            var elapsed = await AdvanceUntilAsync(time, run, () => events.All.OfType<QrIssued>().Count() >= n);
            var next = events.All.OfType<QrIssued>().ElementAt(n - 1);
            Assert.InRange(elapsed, previous.ValidFor, previous.ValidFor + TimeSpan.FromSeconds(1));
            Assert.Equal((n, TimeSpan.FromSeconds(20)), (next.RefNumber, next.ValidFor));
            Assert.True(codes.Add(next.Code));
            previous = next;
        }

        // The first ref has expired on the server too: the phone cannot use it any more.
        var phone = harness.Phone();
        await Assert.ThrowsAsync<EmulatorException>(() => phone.ScanAsync(first.Code, client.Token));

        await AdvanceUntilAsync(time, run, () => events.All.OfType<QrRefsExhausted>().Any());
        Assert.Equal(ConnectionOutcome.Ended, await run.WaitAsync(client.Token));
        Assert.DoesNotContain(events.All, e => e is Disconnected);
    }

    private static async Task<TimeSpan> AdvanceUntilAsync(FakeTimeProvider time, Task run, Func<bool> done)
    {
        var elapsed = TimeSpan.Zero;
        for (var i = 0; i < 1000 && !done(); i++)
        {
            // Let the client register its timer before moving the clock.
            await Task.Delay(5);
            if (done() || run.IsCompleted)
            {
                break;
            }

            time.Advance(TimeSpan.FromSeconds(1));
            elapsed += TimeSpan.FromSeconds(1);
            await Task.Delay(5);
        }

        Assert.True(done(), "The expected event did not arrive.");
        return elapsed;
    }
}
