using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using WaSms.Testing;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>
/// The outbox's <see cref="ISendGate"/> on a scripted server and a fake clock: a failed job ends with the
/// gate's reason and no stanza, a wait for every job holds them all until its time, a wait for one chat
/// lets the other chats go and keeps that chat's order, and the gate hears of each send.
/// </summary>
public sealed class SendGateScriptedTests
{
    private static readonly Jid AlicePn = new("15550002222", JidServer.WhatsApp);
    private static readonly Jid Nobody = new("15550009999", JidServer.WhatsApp);
    private static readonly Jid OptedOut = new("15550007777", JidServer.WhatsApp);

    [Fact]
    public async Task AFailIsTheJobsReason_AWaitForAllHoldsTheJobUntilItsTime_ThenItGoesAndTheGateHearsOfIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var until = time.GetUtcNow().AddSeconds(5);
        var gate = new ScriptedGate(time, job => job.To == OptedOut.ToString() ? SendDecision.Fail("opted-out")
            : time.GetUtcNow() < until ? SendDecision.WaitAll(until) : SendDecision.Go);
        await using var harness = SendHarness.Create(gate, time);
        var refused = await harness.Store.EnqueueOutboundAsync(null, OptedOut.ToString(), "hi", harness.Token);
        var held = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();

        Assert.Equal("opted-out", (await harness.StatusAsync(refused.MessageId, MessageStatus.Failed)).Change.Reason);
        Assert.Equal(0, (await harness.Store.GetOutboundAsync(refused.MessageId, harness.Token))!.Attempts);
        Assert.Equal(SendVerdict.WaitAll, (await gate.NextCheckAsync(harness.Token)).Verdict);
        Assert.Equal(MessageStatus.Pending, (await harness.Store.GetOutboundAsync(held.MessageId, harness.Token))!.Status);

        await AdvanceUntilCheckedAsync(time, gate, held.MessageId, until); // the outbox wakes on the clock, not on a new job
        var message = await DirectSendScriptedTests.FirstSendAsync(harness, new DirectSendScriptedTests.Devices());
        Assert.Equal(held.MessageId, message.Attr("id"));
        await harness.AckAsync(message);
        await harness.StatusAsync(held.MessageId, MessageStatus.Sent);
        Assert.Equal([held.MessageId], await gate.SentAsync(1, harness.Token));
    }

    [Fact]
    public async Task AWaitForOneChat_LetsTheOtherChatGo_AndKeepsItsOwnOrder()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var until = time.GetUtcNow().AddSeconds(5); // shorter than the keepalive interval: no ping in the script
        var gate = new ScriptedGate(time, job => job.To == AlicePn.ToString() && time.GetUtcNow() < until ? SendDecision.WaitChat(until) : SendDecision.Go);
        await using var harness = SendHarness.Create(gate, time);
        var first = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "first", harness.Token);
        var second = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "second", harness.Token);
        var other = await harness.Store.EnqueueOutboundAsync(null, Nobody.ToString(), "other", harness.Token);
        await harness.ConnectAsync();

        // The other chat is asked for and tried while Alice's chat waits.
        var usync = await harness.ExpectIqAsync("usync", "get");
        Assert.Equal([Nobody.ToString()], SendHarness.UsyncUsers(usync));
        await harness.Connection.ReplyAsync(usync, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(Nobody, [])));
        await harness.StatusAsync(other.MessageId, MessageStatus.Failed);
        Assert.Equal([first.MessageId, other.MessageId], gate.Checked.Select(j => j.MessageId).Distinct());

        await AdvanceUntilCheckedAsync(time, gate, first.MessageId, until);
        var devices = new DirectSendScriptedTests.Devices();
        var one = await DirectSendScriptedTests.FirstSendAsync(harness, devices);
        Assert.Equal(first.MessageId, one.Attr("id"));
        await harness.AckAsync(one);
        var two = await harness.ExpectMessageAsync();
        Assert.Equal(second.MessageId, two.Attr("id"));
        await harness.AckAsync(two);
        await harness.StatusAsync(second.MessageId, MessageStatus.Sent);
        Assert.Equal([first.MessageId, second.MessageId], await gate.SentAsync(2, harness.Token));
    }

    [Fact]
    public async Task AGateThatFails_HoldsOnlyThatChat_TheOutboxGoesOn()
    {
        var gate = new ScriptedGate(TimeProvider.System, job => job.To == AlicePn.ToString() ? throw new InvalidOperationException("database is locked") : SendDecision.Go);
        await using var harness = SendHarness.Create(gate, TimeProvider.System);
        var held = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "first", harness.Token);
        var other = await harness.Store.EnqueueOutboundAsync(null, Nobody.ToString(), "other", harness.Token);
        await harness.ConnectAsync();

        var usync = await harness.ExpectIqAsync("usync", "get");
        Assert.Equal([Nobody.ToString()], SendHarness.UsyncUsers(usync));
        await harness.Connection.ReplyAsync(usync, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(Nobody, [])));
        await harness.StatusAsync(other.MessageId, MessageStatus.Failed);
        Assert.Equal(MessageStatus.Pending, (await harness.Store.GetOutboundAsync(held.MessageId, harness.Token))!.Status);
    }

    /// <summary>Decides with a function and records what it was asked and told.</summary>
    /// <summary>
    /// Moves the fake clock in 250 ms steps until the gate was asked about <paramref name="messageId"/> at or after
    /// <paramref name="until"/>. One jump of the clock can come before the outbox has armed its timer (under load), and the
    /// wake is then missed; the clock stops 8 s on, well before the 20 s keepalive whose ping the script does not expect.
    /// </summary>
    private static Task AdvanceUntilCheckedAsync(FakeTimeProvider time, ScriptedGate gate, string messageId, DateTimeOffset until)
    {
        var stop = time.GetUtcNow().AddSeconds(8);
        return Eventually.UntilAsync(() => gate.CheckedAt.Any(c => c.MessageId == messageId && c.At >= until), Eventually.DefaultTimeout,
            $"the gate to be asked about {messageId} once its wait is over", between: () =>
            {
                if (time.GetUtcNow() < stop)
                {
                    time.Advance(TimeSpan.FromMilliseconds(250));
                }
            });
    }

    private sealed class ScriptedGate(TimeProvider time, Func<OutboundMessage, SendDecision> decide) : ISendGate
    {
        private readonly Channel<SendDecision> _decisions = Channel.CreateUnbounded<SendDecision>();
        private readonly Channel<string> _sent = Channel.CreateUnbounded<string>();
        private readonly ConcurrentQueue<OutboundMessage> _checked = new();
        private readonly ConcurrentQueue<(string MessageId, DateTimeOffset At)> _checkedAt = new();

        public IReadOnlyCollection<OutboundMessage> Checked => _checked;

        /// <summary>Each job asked about, with the clock's time then.</summary>
        public IReadOnlyCollection<(string MessageId, DateTimeOffset At)> CheckedAt => _checkedAt;

        public ValueTask<SendDecision> CheckAsync(OutboundMessage job, CancellationToken cancellationToken)
        {
            var decision = decide(job);
            _checked.Enqueue(job);
            _checkedAt.Enqueue((job.MessageId, time.GetUtcNow()));
            _decisions.Writer.TryWrite(decision);
            return ValueTask.FromResult(decision);
        }

        public ValueTask OnSentAsync(OutboundMessage job, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Assert.True(at <= time.GetUtcNow().AddHours(1));
            _sent.Writer.TryWrite(job.MessageId);
            return ValueTask.CompletedTask;
        }

        /// <summary>The next decision made for a job that was not failed.</summary>
        public async Task<SendDecision> NextCheckAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var decision = await _decisions.Reader.ReadAsync(cancellationToken);
                if (decision.Verdict != SendVerdict.Fail)
                {
                    return decision;
                }
            }
        }

        public async Task<string[]> SentAsync(int count, CancellationToken cancellationToken)
        {
            var ids = new string[count];
            for (var i = 0; i < count; i++)
            {
                ids[i] = await _sent.Reader.ReadAsync(cancellationToken);
            }

            return ids;
        }
    }
}
