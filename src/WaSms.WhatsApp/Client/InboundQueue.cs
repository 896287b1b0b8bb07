using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging.Receive;

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

    /// <summary>
    /// 1 MiB of frames: with it the queue's nodes hold a few MB of a 64 MB heap at most, whatever their
    /// size (256 frames of the decoder's 4 MiB limit would be 1 GiB). One node always fits.
    /// </summary>
    public const int DefaultMaxBytes = 1 << 20;

    /// <summary>Handlers ack, save to SQLite and send; one still running after 5 s is stuck on something.</summary>
    public static readonly TimeSpan DefaultSlowHandler = TimeSpan.FromSeconds(5);

    private readonly Channel<(Node Node, int Bytes)> _nodes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _fullReported;
    private long _bytes;
    private TaskCompletionSource? _room;

    public InboundQueue(TimeProvider time, ILogger logger, int capacity = DefaultCapacity, TimeSpan? slowHandler = null, int maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _time = time;
        _logger = logger;
        Capacity = capacity;
        MaxBytes = maxBytes;
        SlowHandler = slowHandler ?? DefaultSlowHandler;
        _nodes = Channel.CreateBounded<(Node, int)>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
    }

    /// <summary>Nodes the queue holds before the receive loop waits.</summary>
    public int Capacity { get; }

    /// <summary>Frame bytes the queue holds before the receive loop waits (one node always fits).</summary>
    public int MaxBytes { get; }

    /// <summary>Frame bytes queued now.</summary>
    public long QueuedBytes => Interlocked.Read(ref _bytes);

    /// <summary>How long one handler may run before a warning.</summary>
    public TimeSpan SlowHandler { get; }

    /// <summary>
    /// Queues <paramref name="node"/>; waits while the queue is full. Logged once until a node finds the
    /// queue empty again: an offline backlog of 10,000 stanzas would otherwise log one line each.
    /// </summary>
    public ValueTask EnqueueAsync(Node node, CancellationToken cancellationToken) => EnqueueAsync(node, 0, cancellationToken);

    /// <summary>
    /// Queues <paramref name="node"/>, decoded from a frame of <paramref name="frameBytes"/>; waits while
    /// the queue is full by count or, with other nodes queued, by bytes.
    /// </summary>
    public async ValueTask EnqueueAsync(Node node, int frameBytes, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _bytes, frameBytes);
        if (!_nodes.Writer.TryWrite((node, frameBytes)))
        {
            ReportFull();
            await _nodes.Writer.WriteAsync((node, frameBytes), cancellationToken);
        }
        else if (_nodes.Reader.Count == 1)
        {
            Volatile.Write(ref _fullReported, 0); // the handlers had caught up: a later wait is a new burst
        }

        while (Interlocked.Read(ref _bytes) > MaxBytes && _nodes.Reader.Count > 1)
        {
            ReportFull();
            var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _room, room);
            if (Interlocked.Read(ref _bytes) > MaxBytes && _nodes.Reader.Count > 1)
            {
                await room.Task.WaitAsync(cancellationToken);
            }
        }
    }

    private void ReportFull()
    {
        if (Interlocked.Exchange(ref _fullReported, 1) == 0)
        {
            _logger.LogWarning("WhatsApp inbound queue full ({Capacity} nodes or {MaxBytes} bytes): the receive loop waits for the handlers", Capacity, MaxBytes);
        }
    }

    /// <summary>Takes the next node if there is one; frees its bytes and wakes a receive loop waiting for room.</summary>
    private bool TryTake(out Node node)
    {
        if (!_nodes.Reader.TryRead(out var entry))
        {
            node = null!;
            return false;
        }

        node = entry.Node;
        Interlocked.Add(ref _bytes, -entry.Bytes);
        Interlocked.Exchange(ref _room, null)?.TrySetResult();

        return true;
    }

    /// <summary>No more nodes: the handling side ends after the queued ones, with <paramref name="error"/> if given.</summary>
    public void Complete(Exception? error = null) => _nodes.Writer.TryComplete(error);

    /// <summary>
    /// Hands each node to <paramref name="handle"/> in order, one at a time, until <paramref name="stop"/>
    /// says so after a node or the queue completes; a completion error is thrown after the nodes queued before it.
    /// </summary>
    public Task HandleAllAsync(Func<Node, CancellationToken, Task> handle, Func<bool> stop, CancellationToken cancellationToken) =>
        HandleAllAsync(handle, null, stop, cancellationToken);

    /// <summary>
    /// As above, except that <c>&lt;message&gt;</c> nodes found waiting one after another (a backlog; acks between them are handled on the way) go to
    /// <paramref name="batch"/> together, up to <see cref="MessageBatch.MaxStanzas"/>, in order; a message
    /// with no other waiting behind it goes to <paramref name="handle"/> alone.
    /// </summary>
    public async Task HandleAllAsync(Func<Node, CancellationToken, Task> handle, Func<IReadOnlyList<Node>, CancellationToken, Task>? batch, Func<bool> stop, CancellationToken cancellationToken)
    {
        var reader = _nodes.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (TryTake(out var node))
            {
                if (batch is not null && IsMessage(node) && reader.TryPeek(out var next) && IsBatchable(next.Node))
                {
                    var nodes = await CollectBatchAsync(node, handle, cancellationToken);
                    await TimedAsync(node, () => nodes.Count == 1 ? handle(node, cancellationToken) : batch(nodes, cancellationToken));
                }
                else
                {
                    await TimedAsync(node, () => handle(node, cancellationToken));
                }

                if (stop())
                {
                    return;
                }
            }
        }
    }

    private static bool IsMessage(Node node) => node.Tag == "message";

    /// <summary>
    /// An <c>&lt;ack&gt;</c> answers a stanza we sent earlier (a receipt, a message): it touches no Signal
    /// state and no inbound message, so handling it as soon as it is reached, before the messages
    /// collected ahead of it are committed, changes nothing. The server acks every receipt, so a backlog
    /// arrives as message, ack, message, ack… and would otherwise never form a batch.
    /// </summary>
    private static bool IsBatchable(Node node) => node.Tag is "message" or "ack";

    /// <summary>
    /// <paramref name="first"/> and the messages waiting behind it, up to <see cref="MessageBatch.MaxStanzas"/>;
    /// acks found between them are handled on the way (<see cref="IsBatchable"/>). Stops at any other node.
    /// </summary>
    private async Task<List<Node>> CollectBatchAsync(Node first, Func<Node, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var nodes = new List<Node> { first };
        while (nodes.Count < MessageBatch.MaxStanzas && _nodes.Reader.TryPeek(out var next) && IsBatchable(next.Node) && TryTake(out var taken))
        {
            if (IsMessage(taken))
            {
                nodes.Add(taken);
            }
            else
            {
                await TimedAsync(taken, () => handle(taken, cancellationToken));
            }
        }

        return nodes;
    }

    /// <summary>Runs <paramref name="handle"/> (the handling of <paramref name="node"/>, and of the batch it starts), warning when it is slow.</summary>
    private async Task TimedAsync(Node node, Func<Task> handle)
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
            await handle();
        }

        if (Volatile.Read(ref slow) == 1)
        {
            _logger.LogInformation("Handled the slow <{Tag}> node in {Elapsed}", node.Tag, _time.GetElapsedTime(started));
        }
    }
}
