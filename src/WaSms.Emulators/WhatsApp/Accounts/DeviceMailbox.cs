using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// Where the server puts what one device must receive (docs/protocol/messaging.md §10): straight to
/// its connection while it is logged in, to the offline queue otherwise. A stanza sent on a connection
/// stays "unacknowledged" until the device answers it (a receipt for a message, an ack otherwise); when
/// the connection ends, those go back to the front of the queue and are delivered again at the next
/// login, each with the <c>offline</c> attribute, followed by <c>&lt;ib&gt;&lt;offline count/&gt;&lt;/ib&gt;</c>.
/// </summary>
internal sealed class DeviceMailbox(ServerDevice device)
{
    /// <summary>More queued than this for one device and the oldest are dropped (a dev emulator's bound, not WhatsApp's).</summary>
    public const int MaxQueued = 20_000;

    private readonly Lock _gate = new();
    private readonly LinkedList<Node> _queue = new();
    private readonly List<Node> _unacknowledged = [];
    private Task _lastSend = Task.CompletedTask;
    private EmulatorConnection? _connection;

    public ServerDevice Device { get; } = device;

    /// <summary>The in-process player of this device, if the emulator plays it.</summary>
    public ILocalDevice? Local { get; set; }

    /// <summary>True while a connection is logged in as this device (or the emulator plays it).</summary>
    public bool IsOnline
    {
        get { lock (_gate) { return Local is not null || _connection is not null; } }
    }

    /// <summary>How many stanzas wait for the next login.</summary>
    public int QueuedCount
    {
        get { lock (_gate) { return _queue.Count; } }
    }

    /// <summary>How many sent stanzas the device has not answered yet.</summary>
    public int UnacknowledgedCount
    {
        get { lock (_gate) { return _unacknowledged.Count; } }
    }

    /// <summary>Delivers a stanza the device must answer (message, receipt, notification), now or at its next login.</summary>
    public async ValueTask DeliverAsync(Node stanza, CancellationToken cancellationToken)
    {
        if (Local is { } local)
        {
            local.Receive(stanza);
            return;
        }

        var turn = await TakeTurnAsync();
        try
        {
            EmulatorConnection? connection;
            lock (_gate)
            {
                connection = _connection;
                if (connection is null)
                {
                    Enqueue(stanza);
                    return;
                }

                _unacknowledged.Add(stanza);
            }

            await SendQuietlyAsync(connection, stanza, cancellationToken);
        }
        finally
        {
            turn.SetResult();
        }
    }

    /// <summary>Sends a stanza that needs no answer (a server ack) if the device is online now; otherwise it is lost, as on the real server.</summary>
    public async ValueTask SendIfOnlineAsync(Node stanza, CancellationToken cancellationToken)
    {
        if (Local is { } local)
        {
            local.Receive(stanza);
            return;
        }

        EmulatorConnection? connection;
        lock (_gate)
        {
            connection = _connection;
        }

        if (connection is not null)
        {
            await SendQuietlyAsync(connection, stanza, cancellationToken);
        }
    }

    /// <summary>
    /// The device logged in on <paramref name="connection"/>: the queue goes out with <c>offline</c>,
    /// then the end-of-backlog marker (always, with count 0 when nothing waited).
    /// </summary>
    public async Task AttachAsync(EmulatorConnection connection, CancellationToken cancellationToken)
    {
        var turn = await TakeTurnAsync();
        try
        {
            List<Node> backlog;
            EmulatorConnection? previous;
            lock (_gate)
            {
                previous = _connection;
                RequeueUnacknowledged();
                backlog = [.. _queue];
                _queue.Clear();
                _connection = connection;
                _unacknowledged.AddRange(backlog);
            }

            if (previous is not null && previous != connection)
            {
                // The same device logged in again: the older connection is replaced.
                await previous.SendStreamErrorAndCloseAsync("replaced");
            }

            foreach (var stanza in backlog)
            {
                await SendQuietlyAsync(connection, WithOffline(stanza), cancellationToken);
            }

            await SendQuietlyAsync(
                connection,
                NodeHelpers.Make("ib", [], NodeHelpers.Make("offline", ("count", backlog.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                cancellationToken);
        }
        finally
        {
            turn.SetResult();
        }
    }

    /// <summary>The connection ended: what it did not answer waits for the next login.</summary>
    public void Detach(EmulatorConnection connection)
    {
        lock (_gate)
        {
            if (_connection == connection)
            {
                _connection = null;
                RequeueUnacknowledged();
            }
        }
    }

    /// <summary>The device answered the oldest unanswered <paramref name="tag"/> stanza with <paramref name="id"/>.</summary>
    public void Acknowledge(string tag, string id)
    {
        lock (_gate)
        {
            var index = _unacknowledged.FindIndex(n => n.Tag == tag && n.Attr("id") == id);
            if (index >= 0)
            {
                _unacknowledged.RemoveAt(index);
            }
        }
    }

    /// <summary>Waits until the sends before this one are done, so a device gets its stanzas in order (the backlog before anything new).</summary>
    private async Task<TaskCompletionSource> TakeTurnAsync()
    {
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_gate)
        {
            previous = _lastSend;
            _lastSend = turn.Task;
        }

        await previous;
        return turn;
    }

    private void RequeueUnacknowledged()
    {
        for (var i = _unacknowledged.Count - 1; i >= 0; i--)
        {
            _queue.AddFirst(_unacknowledged[i]);
        }

        _unacknowledged.Clear();
        while (_queue.Count > MaxQueued)
        {
            _queue.RemoveFirst();
        }
    }

    private void Enqueue(Node stanza)
    {
        _queue.AddLast(stanza);
        if (_queue.Count > MaxQueued)
        {
            _queue.RemoveFirst();
        }
    }

    private static async ValueTask SendQuietlyAsync(EmulatorConnection connection, Node stanza, CancellationToken cancellationToken)
    {
        try
        {
            await connection.SendAsync(stanza, cancellationToken);
        }
        catch (Exception ex) when (ex is WaSocketException or ObjectDisposedException)
        {
            // The device went away mid-send; the stanza is still unacknowledged and goes back to the queue on detach.
        }
    }

    /// <summary>The stanza with <c>offline="1"</c> (Baileys only tests presence, whatsmeow ignores it; the real value is unconfirmed).</summary>
    private static Node WithOffline(Node stanza) =>
        stanza.TryGetAttribute("offline", out _)
            ? stanza
            : new Node(stanza.Tag, [.. stanza.Attributes, new NodeAttribute("offline", "1")], stanza.Content);
}
