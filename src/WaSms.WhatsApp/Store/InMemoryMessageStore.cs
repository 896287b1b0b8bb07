namespace WaSms.WhatsApp.Store;

/// <summary>
/// An <see cref="IMessageStore"/> in memory, for tests, tools and the emulator; the gateway keeps it in
/// SQLite. Signal changes go to <paramref name="signal"/> under its lock, together with the message.
/// Days are local days of <paramref name="time"/>'s time zone.
/// </summary>
public sealed partial class InMemoryMessageStore(InMemorySignalStore signal, TimeProvider time) : IMessageStore
{
    private readonly Dictionary<(string Chat, string Sender, string Id), (DateTimeOffset At, bool Placeholder)> _inbound = [];
    private readonly Dictionary<(string Device, string Id), int> _decryptFailures = [];
    private readonly List<OutboundMessage> _jobs = [];
    private readonly Dictionary<string, int> _jobByMessageId = [];
    private readonly Dictionary<string, int> _jobByCallerId = [];
    private readonly List<MessageEvent> _events = [];
    private readonly Dictionary<string, long> _acked = [];

    /// <summary>A store with its own empty <see cref="InMemorySignalStore"/>.</summary>
    public InMemoryMessageStore(TimeProvider time)
        : this(new InMemorySignalStore(), time)
    {
    }

    /// <summary>The Signal store the commits write to.</summary>
    public InMemorySignalStore Signal => signal;

    private Lock Gate => signal.Gate;

    /// <inheritdoc />
    public async Task<bool> CommitInboundAsync(SignalChanges changes, InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        bool added;
        lock (Gate)
        {
            signal.Apply(changes);
            added = Add(message);
        }
        await signal.RemoveUsedPreKeysAsync(changes, cancellationToken);
        return added;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<bool>> CommitInboundBatchAsync(SignalChanges changes, IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = new bool[messages.Count];
        lock (Gate)
        {
            signal.Apply(changes);
            for (var i = 0; i < messages.Count; i++)
            {
                stored[i] = Add(messages[i]);
            }
        }
        await signal.RemoveUsedPreKeysAsync(changes, cancellationToken);
        return stored;
    }

    /// <summary>
    /// Stores <paramref name="message"/> and its event unless it is a duplicate; a message with content
    /// replaces a stored placeholder of it (under the placeholder's key) with a new event. The caller holds the gate.
    /// </summary>
    private bool Add(InboundMessage message)
    {
        var placeholder = message.Type == InboundMessage.Undecryptable;
        if (FindEquivalent(message.Chat, message.Sender, message.Id) is { } key)
        {
            var stored = _inbound[key];
            if (!stored.Placeholder || placeholder)
            {
                return false;
            }

            _inbound[key] = (stored.At, false);
            message = message with { Chat = key.Chat, Sender = key.Sender };
        }
        else
        {
            _inbound.Add((message.Chat, message.Sender, message.Id), (time.GetUtcNow(), placeholder));
        }

        _events.Add(new MessageEvent(_events.Count + 1, MessageEventKind.Message, message with { Content = message.Content?.ToArray() }, null));
        return true;
    }

    /// <inheritdoc />
    public Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Task.FromResult(FindEquivalent(chat, sender, id) is { } key && !_inbound[key].Placeholder);
        }
    }

    /// <inheritdoc />
    public Task<int> CountDecryptFailureAsync(string senderDevice, string id, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var count = _decryptFailures.GetValueOrDefault((senderDevice, id)) + 1;
            _decryptFailures[(senderDevice, id)] = count;
            return Task.FromResult(count);
        }
    }

    /// <inheritdoc />
    public Task<OutboundMessage> EnqueueOutboundAsync(string? callerId, string to, string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(to);
        ArgumentNullException.ThrowIfNull(text);
        cancellationToken.ThrowIfCancellationRequested();
        lock (Gate)
        {
            if (callerId is not null && _jobByCallerId.TryGetValue(callerId, out var existing))
            {
                return Task.FromResult(_jobs[existing]);
            }
            var job = new OutboundMessage(OutgoingMessageId.New(), callerId, to, text, MessageStatus.Pending, time.GetUtcNow(),
                null, null, null, null, null, 0);
            _jobs.Add(job);
            _jobByMessageId[job.MessageId] = _jobs.Count - 1;
            if (callerId is not null)
            {
                _jobByCallerId[callerId] = _jobs.Count - 1;
            }
            AppendStatus(job, job.CreatedAt);
            return Task.FromResult(job);
        }
    }

    /// <inheritdoc />
    public Task<OutboundMessage?> GetOutboundAsync(string messageId, CancellationToken cancellationToken) => Find(_jobByMessageId, messageId);

    /// <inheritdoc />
    public Task<OutboundMessage?> GetOutboundByCallerIdAsync(string callerId, CancellationToken cancellationToken) => Find(_jobByCallerId, callerId);

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboundMessage>> GetPendingOutboundAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        lock (Gate)
        {
            return Task.FromResult<IReadOnlyList<OutboundMessage>>([.. _jobs.Where(j => j.Status == MessageStatus.Pending).Take(max)]);
        }
    }

    /// <inheritdoc />
    public async Task CommitSendAttemptAsync(SignalChanges changes, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (Gate)
        {
            var index = _jobByMessageId.TryGetValue(messageId, out var found)
                ? found
                : throw new InvalidOperationException($"No send job {messageId}");
            if (_jobs[index].Status == MessageStatus.Failed)
            {
                throw new SendJobClosedException(messageId);
            }
            signal.Apply(changes);
            _jobs[index] = _jobs[index] with { Attempts = _jobs[index].Attempts + 1 };
        }
        await signal.RemoveUsedPreKeysAsync(changes, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpdateOutboundStatusAsync(string messageId, MessageStatus status, DateTimeOffset at, string? reason, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (Gate)
        {
            if (!_jobByMessageId.TryGetValue(messageId, out var index) || !StatusRules.CanMove(_jobs[index].Status, status))
            {
                return Task.FromResult(false);
            }
            _jobs[index] = StatusRules.Move(_jobs[index], status, at, reason);
            AppendStatus(_jobs[index], at);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterCursor);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        lock (Gate)
        {
            // Cursors are 1, 2, 3…: event n is at index n - 1.
            var start = (int)Math.Min(afterCursor, _events.Count);
            return Task.FromResult<IReadOnlyList<MessageEvent>>([.. _events.Skip(start).Take(max)]);
        }
    }

    /// <inheritdoc />
    public Task AckEventsAsync(string consumer, long cursor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentOutOfRangeException.ThrowIfNegative(cursor);
        lock (Gate)
        {
            _acked[consumer] = Math.Max(_acked.GetValueOrDefault(consumer), cursor);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return Task.FromResult(_acked.GetValueOrDefault(consumer));
        }
    }

    /// <inheritdoc />
    public Task<DailyCounters> GetDailyCountersAsync(DateOnly day, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            bool OnDay(DateTimeOffset? at) => at is { } value && DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(value, time.LocalTimeZone).DateTime) == day;
            var inbound = _events.Where(e => e.Message is { FromMe: false }).Select(e => (e.Message!.Chat, e.Message.Sender, e.Message.Id)).Distinct()
                .Count(key => OnDay(_inbound[key].At)); // a replaced placeholder has two events and is one message
            return Task.FromResult(new DailyCounters(
                day,
                inbound,
                _jobs.Count(j => OnDay(j.SentAt)),
                _jobs.Count(j => OnDay(j.FailedAt)),
                _jobs.Count(j => j.Status == MessageStatus.Pending)));
        }
    }

    private void AppendStatus(OutboundMessage job, DateTimeOffset at) =>
        _events.Add(new MessageEvent(_events.Count + 1, MessageEventKind.Status, null,
            new StatusChange(job.MessageId, job.CallerId, job.To, job.Status, at, job.Status == MessageStatus.Failed ? job.FailureReason : null)));

    private Task<OutboundMessage?> Find(Dictionary<string, int> index, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (Gate)
        {
            return Task.FromResult(index.TryGetValue(key, out var found) ? _jobs[found] : null);
        }
    }
}
