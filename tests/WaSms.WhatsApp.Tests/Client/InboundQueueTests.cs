using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>The queue between the receive loop and the handlers: order kept, nothing dropped, slowness reported.</summary>
public sealed class InboundQueueTests
{
    [Fact]
    public async Task SlowHandler_IsReported_AndAFullQueueHoldsTheReceiveLoopWithoutLosingOrReordering()
    {
        var time = new FakeTimeProvider();
        var log = new RecordingLogger();
        var queue = new InboundQueue(time, log, capacity: 4, slowHandler: TimeSpan.FromSeconds(5));
        var handled = new List<string>();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handling = queue.HandleAllAsync(
            async (node, _) =>
            {
                handled.Add(node.Attr("id")!);
                if (handled.Count == 1)
                {
                    firstStarted.SetResult();
                    await release.Task;
                }
            },
            () => false,
            CancellationToken.None);

        await queue.EnqueueAsync(Numbered(1), CancellationToken.None);
        await firstStarted.Task;
        Assert.DoesNotContain(log.Entries, e => e.Level == LogLevel.Warning);

        // The handler of node 1 is still running when its 5 s are up.
        time.Advance(TimeSpan.FromSeconds(5));
        var slow = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("<n>", slow.Message, StringComparison.Ordinal);

        // Nodes 2–5 fill the queue; node 6 must wait for room, with a warning, and is not dropped.
        for (var i = 2; i <= 5; i++)
        {
            await queue.EnqueueAsync(Numbered(i), CancellationToken.None);
        }

        var sixth = queue.EnqueueAsync(Numbered(6), CancellationToken.None).AsTask();
        Assert.False(sixth.IsCompleted);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("queue full", StringComparison.Ordinal));

        release.SetResult();
        await sixth;
        queue.Complete();
        await handling;
        Assert.Equal(["1", "2", "3", "4", "5", "6"], handled);
    }

    [Fact]
    public async Task FullQueue_IsReportedOncePerBurst_NotOncePerWaitingNode()
    {
        var log = new RecordingLogger();
        var queue = new InboundQueue(new FakeTimeProvider(), log, capacity: 2);
        var started = new Dictionary<string, TaskCompletionSource>();
        var release = new Dictionary<string, TaskCompletionSource>();
        foreach (var id in new[] { "1", "2", "5", "6" })
        {
            started[id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            release[id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        var handled = new List<string>();
        var handling = queue.HandleAllAsync(
            async (node, _) =>
            {
                var id = node.Attr("id")!;
                handled.Add(id);
                if (started.TryGetValue(id, out var begun))
                {
                    begun.SetResult();
                    await release[id].Task;
                }
            },
            () => false,
            CancellationToken.None);
        int FullWarnings() => log.Entries.Count(e => e.Message.Contains("queue full", StringComparison.Ordinal));

        // One burst: node 1 holds the handler, 2 and 3 fill the queue, 4 and then 5 each wait for room.
        await queue.EnqueueAsync(Numbered(1), CancellationToken.None);
        await started["1"].Task;
        await queue.EnqueueAsync(Numbered(2), CancellationToken.None);
        await queue.EnqueueAsync(Numbered(3), CancellationToken.None);
        var fourth = queue.EnqueueAsync(Numbered(4), CancellationToken.None).AsTask();
        Assert.False(fourth.IsCompleted);
        release["1"].SetResult();
        await fourth;
        await started["2"].Task;
        var fifth = queue.EnqueueAsync(Numbered(5), CancellationToken.None).AsTask();
        Assert.False(fifth.IsCompleted);
        Assert.Equal(1, FullWarnings());

        // The handlers empty the queue (node 5 is taken); the next burst is reported again.
        release["2"].SetResult();
        release["5"].SetResult();
        await fifth;
        await started["5"].Task;
        await queue.EnqueueAsync(Numbered(6), CancellationToken.None);
        await started["6"].Task;
        await queue.EnqueueAsync(Numbered(7), CancellationToken.None);
        await queue.EnqueueAsync(Numbered(8), CancellationToken.None);
        var ninth = queue.EnqueueAsync(Numbered(9), CancellationToken.None).AsTask();
        Assert.False(ninth.IsCompleted);
        Assert.Equal(2, FullWarnings());

        release["6"].SetResult();
        await ninth;
        queue.Complete();
        await handling;
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9"], handled);
    }

    [Fact]
    public async Task ReceiveError_ReachesTheHandlingSideAfterTheNodesQueuedBeforeIt()
    {
        var queue = new InboundQueue(new FakeTimeProvider(), new RecordingLogger(), capacity: 4);
        var handled = new List<string>();
        await queue.EnqueueAsync(Numbered(1), CancellationToken.None);
        await queue.EnqueueAsync(Numbered(2), CancellationToken.None);
        queue.Complete(new WaProtocolException("bad frame"));

        var error = await Assert.ThrowsAsync<WaProtocolException>(() => queue.HandleAllAsync(
            (node, _) =>
            {
                handled.Add(node.Attr("id")!);
                return Task.CompletedTask;
            },
            () => false,
            CancellationToken.None));

        Assert.Equal("bad frame", error.Message);
        Assert.Equal(["1", "2"], handled);
    }

    [Fact]
    public async Task Handling_StopsAfterTheNodeThatSetsTheOutcome()
    {
        var queue = new InboundQueue(new FakeTimeProvider(), new RecordingLogger(), capacity: 4);
        var handled = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            await queue.EnqueueAsync(Numbered(i), CancellationToken.None);
        }

        await queue.HandleAllAsync(
            (node, _) =>
            {
                handled.Add(node.Attr("id")!);
                return Task.CompletedTask;
            },
            () => handled.Count == 2,
            CancellationToken.None);

        Assert.Equal(["1", "2"], handled);
    }

    [Fact]
    public async Task WaitingMessages_FormOneBatch_AcksBetweenThemHandledOnTheWay_AnyOtherNodeEndsIt()
    {
        var queue = new InboundQueue(new FakeTimeProvider(), new RecordingLogger(), capacity: 16);
        string[] arrived = ["message 1", "ack a", "message 2", "ack b", "message 3", "receipt r", "message 4", "message 5", "iq q", "message 6"];
        foreach (var tagAndId in arrived)
        {
            var (tag, id) = (tagAndId.Split(' ')[0], tagAndId.Split(' ')[1]);
            await queue.EnqueueAsync(NodeHelpers.Make(tag, ("id", id)), 100, CancellationToken.None);
        }

        queue.Complete();
        var handled = new List<string>();
        await queue.HandleAllAsync(
            (node, _) =>
            {
                handled.Add($"{node.Tag} {node.Attr("id")}");
                return Task.CompletedTask;
            },
            (nodes, _) =>
            {
                handled.Add("batch " + string.Join(",", nodes.Select(n => n.Attr("id"))));
                return Task.CompletedTask;
            },
            () => false,
            CancellationToken.None);

        Assert.Equal(["ack a", "ack b", "batch 1,2,3", "receipt r", "batch 4,5", "iq q", "message 6"], handled);
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public async Task QueueFullByBytes_ReceiveLoopWaits_UntilTheHandlersTakeNodes()
    {
        var log = new RecordingLogger();
        var queue = new InboundQueue(new FakeTimeProvider(), log, capacity: 100, maxBytes: 1000);
        await queue.EnqueueAsync(Numbered(1), 5000, CancellationToken.None); // alone in the queue: always fits
        var second = queue.EnqueueAsync(Numbered(2), 10, CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Contains(log.Entries, e => e.Message.Contains("1000 bytes", StringComparison.Ordinal));

        var handled = new List<string>();
        var handling = queue.HandleAllAsync(
            (node, _) =>
            {
                handled.Add(node.Attr("id")!);
                return Task.CompletedTask;
            },
            () => handled.Count == 2,
            CancellationToken.None);
        await second;
        await handling;
        Assert.Equal(["1", "2"], handled);
    }

    private static Node Numbered(int id) => NodeHelpers.Make("n", ("id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
