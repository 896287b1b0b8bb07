using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Testing;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>A burst of retry receipts runs a bounded number of resends at once, queues a bounded number and drops the rest.</summary>
public sealed class RetryResendBoundTests
{
    [Fact]
    public async Task ABurstOfRetryReceipts_RunsAtMostFourResendsAtOnce_QueuesTheNext64_DropsTheRest()
    {
        var store = new InMemoryMessageStore(TimeProvider.System);
        var services = new SendServices(new SemaphoreSlim(1, 1), store.Signal, store, new SendOptions(), TimeProvider.System, NullLogger.Instance);
        var own = OwnDevice.From(WaCredentials.Generate() with
        {
            Jid = new Jid("15550001111", JidServer.WhatsApp, 2),
            Lid = new Jid("99887766", JidServer.Lid, 2),
            Account = new byte[] { 1, 2, 3 },
        });
        var channel = new GatedChannel();
        var admitted = RetryResponder.MaxConcurrentResends + RetryResponder.MaxQueuedResends;
        var answers = new List<Task<Node?>>();
        for (var i = 0; i < admitted + 3; i++)
        {
            // Each device has no session, so each answer first fetches a bundle: the query the gate holds.
            var user = $"1555555{i:D4}";
            var job = await store.EnqueueOutboundAsync(null, user + "@s.whatsapp.net", "hi", CancellationToken.None);
            var retry = new RetryReceiptReceived(job.MessageId, new Jid(user, JidServer.WhatsApp, 1), null, null, 1, null, 7, null, default);
            answers.Add(services.Retries.AnswerAsync(channel, own, retry, CancellationToken.None));
        }

        await Eventually.UntilAsync(() => channel.Inside == RetryResponder.MaxConcurrentResends, Eventually.DefaultTimeout, "four resends to query");
        Assert.All(answers.Skip(admitted), dropped => Assert.Null(dropped.Result));
        Assert.All(answers.Take(admitted), waiting => Assert.False(waiting.IsCompleted));

        channel.Open();
        foreach (var answer in answers.Take(admitted))
        {
            await Assert.ThrowsAsync<TimeoutException>(() => answer);
        }

        Assert.Equal((admitted, RetryResponder.MaxConcurrentResends), (channel.Queries, channel.MostInside));
    }

    /// <summary>Holds every query until <see cref="Open"/>, then fails it as an unanswered iq does; counts how many were inside at once.</summary>
    private sealed class GatedChannel : IStanzaChannel
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inside;
        private int _mostInside;
        private int _queries;

        public int Inside => Volatile.Read(ref _inside);

        public int MostInside => Volatile.Read(ref _mostInside);

        public int Queries => Volatile.Read(ref _queries);

        public void Open() => _gate.TrySetResult();

        public async Task<Node> QueryAsync(Jid to, string xmlns, string type, Node child, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _queries);
            var inside = Interlocked.Increment(ref _inside);
            int most;
            while (inside > (most = Volatile.Read(ref _mostInside)) && Interlocked.CompareExchange(ref _mostInside, inside, most) != most)
            {
            }

            try
            {
                await _gate.Task.WaitAsync(cancellationToken);
                throw new TimeoutException("no answer (injected)");
            }
            finally
            {
                Interlocked.Decrement(ref _inside);
            }
        }

        public Task<Task<Node?>> WriteMessageAsync(Node message, TimeSpan deadline, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask WriteAsync(Node node, CancellationToken cancellationToken) => throw new NotSupportedException();

        public string NextId() => "1";
    }
}
