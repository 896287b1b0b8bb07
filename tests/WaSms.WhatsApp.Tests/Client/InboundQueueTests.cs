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

    private static Node Numbered(int id) => NodeHelpers.Make("n", ("id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
