using Microsoft.Extensions.Time.Testing;
using WaSms.Testing;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>
/// A chat held after a failed attempt is tried again while connected, after a full-jitter exponential
/// backoff on the client's clock (fake here): the ceiling doubles per hold up to the maximum, the jitter
/// picks a point below it, a final state starts the chat afresh.
/// </summary>
public sealed class ChatHoldsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Holds_DoubleTheirCeilingUpToTheMaximum_JitterBelowIt_ReleaseStartsAgain()
    {
        var time = new FakeTimeProvider(Start);
        var jitter = 1.0;
        var holds = new ChatHolds(time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), () => jitter);

        Assert.Equal(
            [2, 4, 8, 16, 30, 30],
            Enumerable.Range(0, 6).Select(_ => holds.Hold("a@s.whatsapp.net").TotalSeconds));
        jitter = 0.25;
        Assert.Equal(TimeSpan.FromSeconds(7.5), holds.Hold("a@s.whatsapp.net"));
        Assert.Equal(7, holds.HoldsOf("a@s.whatsapp.net"));

        Assert.True(holds.IsHeld("a@s.whatsapp.net"));
        Assert.False(holds.IsHeld("b@s.whatsapp.net"));
        time.Advance(TimeSpan.FromSeconds(7.5));
        Assert.True(holds.IsHeld("a@s.whatsapp.net")); // its last instant
        time.Advance(TimeSpan.FromTicks(1));
        Assert.False(holds.IsHeld("a@s.whatsapp.net"));

        holds.Release("a@s.whatsapp.net");
        Assert.Equal(0, holds.HoldsOf("a@s.whatsapp.net"));
        Assert.Equal(TimeSpan.FromSeconds(0.5), holds.Hold("a@s.whatsapp.net"));
    }

    [Fact]
    public async Task AQueryFailure_HoldsTheChat_ThenItIsTriedAgainOnTheSameConnection()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow); // the scripted server's certificate is valid now
        await using var harness = SendHarness.Create(time: time);
        var alice = new Jid("15550002222", JidServer.WhatsApp);
        var job = await harness.Store.EnqueueOutboundAsync(null, alice.ToString(), "first", harness.Token);
        await harness.ConnectAsync();

        var failing = await harness.ExpectIqAsync("usync", "get");
        await harness.Connection.ReplyErrorAsync(failing, 500, "internal-server-error", harness.Token);

        // The hold runs on the client's clock: nothing is asked again until it moves past the hold.
        // The first hold is at most 2 s; the clock stops at 5 s, well before the 20 s keepalive, whose ping the
        // script does not expect (under load the polls are slow, and an unbounded clock once ran into it).
        var again = harness.ExpectIqAsync("usync", "get");
        var advanced = TimeSpan.Zero;
        await Eventually.UntilAsync(() => again.IsCompleted, Eventually.DefaultTimeout, "the chat to be tried again",
            between: () =>
            {
                if (advanced < TimeSpan.FromSeconds(5))
                {
                    time.Advance(TimeSpan.FromMilliseconds(250));
                    advanced += TimeSpan.FromMilliseconds(250);
                }
            });
        Assert.Contains(alice.ToString(), SendHarness.UsyncUsers(await again));
        await harness.Connection.ReplyAsync(await again, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(alice, [])));

        Assert.Equal("not-on-whatsapp", (await harness.StatusAsync(job.MessageId, MessageStatus.Failed)).Change.Reason);
        Assert.False(harness.Run.IsCompleted); // the same connection
    }
}
