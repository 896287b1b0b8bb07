using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging;

/// <summary>
/// Both messaging stores in memory, for a client created without them (tools, tests): a stand-in
/// until the gateway's in-memory stores (Store/InMemory*.cs) are merged, after which the client
/// defaults to those. One lock; every commit is all-or-nothing because it only runs after its checks.
/// </summary>
internal sealed class VolatileMessagingStore(IPreKeyStore preKeys, TimeProvider time) : ISignalStore, IMessageStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SignalAddress, byte[]> _sessions = [];
    private readonly Dictionary<SignalAddress, byte[]> _identities = [];
    private readonly Dictionary<(string, SignalAddress), byte[]> _senderKeys = [];
    private readonly Dictionary<string, string> _lidToPhone = [];
    private readonly Dictionary<(string, string, string), InboundMessage> _inbound = [];
    private readonly Dictionary<(string, string), int> _failures = [];
    private readonly List<OutboundMessage> _outbound = [];
    private readonly List<MessageEvent> _events = [];
    private readonly Dictionary<string, long> _acked = [];

    public Task<IReadOnlyDictionary<SignalAddress, byte[]>> LoadSessionsAsync(IReadOnlyCollection<SignalAddress> addresses, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyDictionary<SignalAddress, byte[]> found = addresses.Where(_sessions.ContainsKey).Distinct().ToDictionary(a => a, a => _sessions[a]);
            return Task.FromResult(found);
        }
    }

    public Task<byte[]?> LoadIdentityAsync(SignalAddress address, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => _identities.GetValueOrDefault(address)));

    public Task<byte[]?> LoadSenderKeyAsync(string group, SignalAddress sender, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => _senderKeys.GetValueOrDefault((group, sender))));

    public Task<string?> GetLidUserAsync(string phoneUser, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(Locked(() => _lidToPhone.FirstOrDefault(p => p.Value == phoneUser).Key));

    public Task<string?> GetPhoneUserAsync(string lidUser, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => _lidToPhone.GetValueOrDefault(lidUser)));

    public async Task CommitAsync(SignalChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_lock)
        {
            Apply(changes);
        }

        await RemovePreKeysAsync(changes, cancellationToken);
    }

    public async Task<bool> CommitInboundAsync(SignalChanges changes, InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(message);
        bool added;
        lock (_lock)
        {
            Apply(changes);
            added = _inbound.TryAdd((message.Chat, message.Sender, message.Id), message);
            if (added)
            {
                _events.Add(new MessageEvent(_events.Count + 1, MessageEventKind.Message, message, null));
            }
        }

        await RemovePreKeysAsync(changes, cancellationToken);
        return added;
    }

    public Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => _inbound.ContainsKey((chat, sender, id))));

    public Task<int> CountDecryptFailureAsync(string senderDevice, string id, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => _failures[(senderDevice, id)] = _failures.GetValueOrDefault((senderDevice, id)) + 1));

    public Task<OutboundMessage> EnqueueOutboundAsync(string? callerId, string to, string text, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() =>
        {
            if (callerId is not null && _outbound.Find(m => m.CallerId == callerId) is { } existing)
            {
                return existing;
            }

            var job = new OutboundMessage("3EB0" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..18], callerId, to, text, MessageStatus.Pending,
                time.GetUtcNow(), null, null, null, null, null, 0);
            _outbound.Add(job);
            _events.Add(new MessageEvent(_events.Count + 1, MessageEventKind.Status, null, new StatusChange(job.MessageId, callerId, to, MessageStatus.Pending, job.CreatedAt, null)));
            return job;
        }));

    public Task<OutboundMessage?> GetOutboundAsync(string messageId, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => _outbound.Find(m => m.MessageId == messageId)));

    public Task<OutboundMessage?> GetOutboundByCallerIdAsync(string callerId, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => _outbound.Find(m => m.CallerId == callerId)));

    public Task<IReadOnlyList<OutboundMessage>> GetPendingOutboundAsync(int max, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<OutboundMessage>>(Locked(() => _outbound.Where(m => m.Status == MessageStatus.Pending).Take(max).ToList()));

    public async Task CommitSendAttemptAsync(SignalChanges changes, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_lock)
        {
            Apply(changes);
            var index = _outbound.FindIndex(m => m.MessageId == messageId);
            if (index >= 0)
            {
                _outbound[index] = _outbound[index] with { Attempts = _outbound[index].Attempts + 1 };
            }
        }

        await RemovePreKeysAsync(changes, cancellationToken);
    }

    public Task<bool> UpdateOutboundStatusAsync(string messageId, MessageStatus status, DateTimeOffset at, string? reason, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() =>
        {
            var index = _outbound.FindIndex(m => m.MessageId == messageId);
            if (index < 0 || !IsForward(_outbound[index].Status, status))
            {
                return false;
            }

            var job = _outbound[index];
            _outbound[index] = status switch
            {
                MessageStatus.Sent => job with { Status = status, SentAt = at },
                MessageStatus.Delivered => job with { Status = status, DeliveredAt = at },
                MessageStatus.Read => job with { Status = status, ReadAt = at },
                MessageStatus.Failed => job with { Status = status, FailedAt = at, FailureReason = reason },
                _ => job,
            };
            _events.Add(new MessageEvent(_events.Count + 1, MessageEventKind.Status, null, new StatusChange(messageId, job.CallerId, job.To, status, at, reason)));
            return true;
        }));

    public Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<MessageEvent>>(Locked(() => _events.Where(e => e.Cursor > afterCursor).Take(max).ToList()));

    public Task AckEventsAsync(string consumer, long cursor, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _acked[consumer] = Math.Max(_acked.GetValueOrDefault(consumer), cursor);
        }

        return Task.CompletedTask;
    }

    public Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => _acked.GetValueOrDefault(consumer)));

    public Task<DailyCounters> GetDailyCountersAsync(DateOnly day, CancellationToken cancellationToken) =>
        Task.FromResult(Locked(() => new DailyCounters(
            day,
            _inbound.Values.Count(m => DateOnly.FromDateTime(m.Timestamp.LocalDateTime) == day),
            _outbound.Count(m => m.SentAt is { } s && DateOnly.FromDateTime(s.LocalDateTime) == day),
            _outbound.Count(m => m.FailedAt is { } f && DateOnly.FromDateTime(f.LocalDateTime) == day),
            _outbound.Count(m => m.Status == MessageStatus.Pending))));

    /// <summary>Forward only: Pending → Sent → Delivered → Read, and Failed only from Pending.</summary>
    private static bool IsForward(MessageStatus from, MessageStatus to) =>
        to == MessageStatus.Failed ? from == MessageStatus.Pending : from != MessageStatus.Failed && to > from;

    private void Apply(SignalChanges changes)
    {
        foreach (var (address, record) in changes.Sessions)
        {
            if (record is null)
            {
                _sessions.Remove(address);
            }
            else
            {
                _sessions[address] = record;
            }
        }

        foreach (var (address, key) in changes.Identities)
        {
            _identities[address] = key;
        }

        foreach (var (key, record) in changes.SenderKeys)
        {
            _senderKeys[key] = record;
        }

        foreach (var (lid, phone) in changes.LidMappings)
        {
            _lidToPhone[lid] = phone;
        }
    }

    private async Task RemovePreKeysAsync(SignalChanges changes, CancellationToken cancellationToken)
    {
        foreach (var id in changes.UsedPreKeys)
        {
            await preKeys.RemoveAsync(id, cancellationToken);
        }
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_lock)
        {
            return read();
        }
    }
}
