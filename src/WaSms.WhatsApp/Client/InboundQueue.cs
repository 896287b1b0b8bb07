using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// The nodes between a connection's receive loop and its handlers, in arrival order (whatsmeow
/// client.go <c>handlerQueue</c>, https://github.com/tulir/whatsmeow/blob/main/client.go). The
/// receive loop keeps reading while a handler awaits a store or a send; when the queue is full it
/// waits (back-pressure: the server's TCP window holds the rest) instead of dropping a node.
/// A full queue and a handler slower than <see cref="SlowHandler"/> are logged as warnings.
/// </summary>
internal sealed class InboundQueue
{
    /// <summary>
    /// 256 nodes. whatsmeow buffers 2048 "to be safe" and expects a few; our handlers only ack,
    /// save and answer, and the largest burst is the offline queue after a reconnect (receipts,
    /// notifications, messages of well under 4 KB each), so 256 absorbs it at ~1 MB of a 64 MB heap.
    /// The bound counts nodes, not bytes: a frame may be up to the decoder's 4 MiB input limit, and
    /// the receive loop waiting when the queue is full is what keeps memory in check.
    /// </summary>
    public const int DefaultCapacity = 256;

    /// <summary>Handlers ack, save to SQLite and send; one still running after 5 s is stuck on something.</summary>
    public static readonly TimeSpan DefaultSlowHandler = TimeSpan.FromSeconds(5);

    private readonly Channel<Node> _nodes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _fullReported;

    public InboundQueue(TimeProvider time, ILogger logger, int capacity = DefaultCapacity, TimeSpan? slowHandler = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _logger = logger;
        Capacity = capacity;
        SlowHandler = slowHandler ?? DefaultSlowHandler;
        _nodes = Channel.CreateBounded<Node>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
    }

    /// <summary>Nodes the queue holds before the receive loop waits.</summary>
    public int Capacity { get; }

    /// <summary>How long one handler may run before a warning.</summary>
    public TimeSpan SlowHandler { get; }

    /// <summary>
    /// Queues <paramref name="node"/>; waits while the queue is full. Logged once until a node finds the
    /// queue empty again: an offline backlog of 10,000 stanzas would otherwise log one line each.
    /// </summary>
    public async ValueTask EnqueueAsync(Node node, CancellationToken cancellationToken)
    {
        if (_nodes.Writer.TryWrite(node))
        {
            if (_nodes.Reader.Count == 1)
            {
                Volatile.Write(ref _fullReported, 0); // the handlers had caught up: a later wait is a new burst
            }

            return;
        }

        if (Interlocked.Exchange(ref _fullReported, 1) == 0)
        {
            _logger.LogWarning("WhatsApp inbound queue full ({Capacity} nodes): the receive loop waits for the handlers", Capacity);
        }

        await _nodes.Writer.WriteAsync(node, cancellationToken);
    }

    /// <summary>No more nodes: the handling side ends after the queued ones, with <paramref name="error"/> if given.</summary>
    public void Complete(Exception? error = null) => _nodes.Writer.TryComplete(error);

    /// <summary>
    /// Hands each node to <paramref name="handle"/> in order, one at a time, until <paramref name="stop"/>
    /// says so after a node or the queue completes; a completion error is thrown after the nodes queued before it.
    /// </summary>
    public async Task HandleAllAsync(Func<Node, CancellationToken, Task> handle, Func<bool> stop, CancellationToken cancellationToken)
    {
        var reader = _nodes.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var node))
            {
                await HandleOneAsync(node, handle, cancellationToken);
                if (stop())
                {
                    return;
                }
            }
        }
    }

    private async Task HandleOneAsync(Node node, Func<Node, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var slow = 0;
        using (_time.CreateTimer(
            _ =>
            {
                Volatile.Write(ref slow, 1);
                _logger.LogWarning("Handling a WhatsApp <{Tag}> node is taking longer than {Limit}; later nodes wait", node.Tag, SlowHandler);
            },
            null,
            SlowHandler,
            Timeout.InfiniteTimeSpan))
        {
            await handle(node, cancellationToken);
        }

        if (Volatile.Read(ref slow) == 1)
        {
            _logger.LogInformation("Handled the slow <{Tag}> node in {Elapsed}", node.Tag, _time.GetElapsedTime(started));
        }
    }
}
