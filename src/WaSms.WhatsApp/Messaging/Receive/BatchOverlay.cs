using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// The stores as a batch of <c>&lt;message&gt;</c> stanzas sees them (<see cref="MessageBatch"/>): reads
/// see the real stores under the changes the batch made so far (a later message of a session decrypts
/// after the earlier one's ratchet step), writes stay in memory until <see cref="CommitAsync"/> saves
/// them in one transaction, and the sends and events of each stanza wait for that commit. One stanza's
/// work is kept apart until <see cref="Accept"/>; <see cref="Discard"/> drops it (its handler failed).
/// Only the calls the receive path makes are overlaid; the rest go to the real stores.
/// </summary>
internal sealed class BatchOverlay(ISignalStore signal, IMessageStore messages) : ISignalStore, IMessageStore, IParsedSessions
{
    // Records as the decrypts left them, by the bytes they were saved as: bytes of a discarded stanza or a
    // failed commit never match (the overlay itself is dropped then), so a stale record is never used.
    private readonly Dictionary<SignalAddress, (byte[] Bytes, SessionRecord Record)> _parsed = [];

    private readonly Layer _batch = new();

    // What the store answered for the LID map: nothing else writes it while the batch holds the Signal lock.
    private readonly Dictionary<string, string?> _storedLidOfPhone = [];
    private readonly Dictionary<string, string?> _storedPhoneOfLid = [];
    private Layer _stanza = new();

    /// <summary>Nothing accepted yet.</summary>
    public bool IsEmpty => _batch.Changes.IsEmpty && _batch.Rows.Count == 0 && _batch.Effects.Count == 0;

    /// <summary>Queues a node the receiver sends, until the commit.</summary>
    public ValueTask SendAsync(Node node, CancellationToken cancellationToken)
    {
        _stanza.Effects.Add((node, null));
        return ValueTask.CompletedTask;
    }

    /// <summary>Queues an event the receiver raises, until the commit.</summary>
    public void Raise(WaEvent e) => _stanza.Effects.Add((null, e));

    /// <summary>The current stanza was handled: its work joins the batch.</summary>
    public void Accept()
    {
        _batch.Changes.Add(_stanza.Changes);
        _batch.Rows.AddRange(_stanza.Rows);
        _batch.Effects.AddRange(_stanza.Effects);
        _stanza = new Layer();
    }

    /// <summary>The current stanza's handler failed: nothing of it is saved or sent.</summary>
    public void Discard() => _stanza = new Layer();

    /// <summary>
    /// Saves the accepted work in one transaction, then hands its sends and events to
    /// <paramref name="send"/> and <paramref name="raise"/> in the order they were made — a receipt never
    /// leaves before the ratchet step and the message it answers are on disk. A row the store found
    /// already saved raises no <see cref="MessageReceived"/>.
    /// </summary>
    public async Task CommitAsync(Func<Node, CancellationToken, ValueTask> send, Action<WaEvent> raise, CancellationToken cancellationToken)
    {
        var duplicates = new HashSet<InboundMessage>(ReferenceEqualityComparer.Instance);
        if (_batch.Rows.Count > 0)
        {
            var stored = await messages.CommitInboundBatchAsync(_batch.Changes, _batch.Rows, cancellationToken);
            for (var i = 0; i < stored.Count; i++)
            {
                if (!stored[i])
                {
                    duplicates.Add(_batch.Rows[i]);
                }
            }
        }
        else if (!_batch.Changes.IsEmpty)
        {
            await signal.CommitAsync(_batch.Changes, cancellationToken);
        }

        foreach (var (node, e) in _batch.Effects)
        {
            if (node is not null)
            {
                await send(node, cancellationToken);
            }
            else if (e is not MessageReceived { Message: var row } || !duplicates.Contains(row))
            {
                raise(e!);
            }
        }
    }

    public SessionRecord Parse(SignalAddress address, byte[] bytes) =>
        _parsed.TryGetValue(address, out var kept) && ReferenceEquals(kept.Bytes, bytes) ? kept.Record : SessionRecord.Deserialize(bytes);

    public void Remember(SignalAddress address, byte[] bytes, SessionRecord record) => _parsed[address] = (bytes, record);

    public Task CommitAsync(SignalChanges changes, CancellationToken cancellationToken)
    {
        _stanza.Changes.Add(changes);
        return Task.CompletedTask;
    }

    public async Task<bool> CommitInboundAsync(SignalChanges changes, InboundMessage message, CancellationToken cancellationToken)
    {
        _stanza.Changes.Add(changes);
        // As the store decides at the commit: a duplicate unless the pending one is a placeholder this one's content replaces.
        var duplicate = await PendingAsync(message.Chat, message.Sender, message.Id, cancellationToken) is { } pending
            && (pending.Type != InboundMessage.Undecryptable || message.Type == InboundMessage.Undecryptable);
        if (!duplicate)
        {
            _stanza.Rows.Add(message);
        }

        return !duplicate;
    }

    public async Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken) =>
        await PendingAsync(chat, sender, id, cancellationToken) is { Type: not InboundMessage.Undecryptable }
        || await messages.HasInboundAsync(chat, sender, id, cancellationToken);

    public async Task<IReadOnlyDictionary<SignalAddress, byte[]>> LoadSessionsAsync(IReadOnlyCollection<SignalAddress> addresses, CancellationToken cancellationToken)
    {
        var found = new Dictionary<SignalAddress, byte[]>();
        var missing = new List<SignalAddress>();
        foreach (var address in addresses)
        {
            if (TryPending(l => l.Changes.Sessions, address, out var record))
            {
                if (record is not null)
                {
                    found[address] = record;
                }
            }
            else
            {
                missing.Add(address);
            }
        }

        if (missing.Count > 0)
        {
            foreach (var (address, record) in await signal.LoadSessionsAsync(missing, cancellationToken))
            {
                found[address] = record;
            }
        }

        return found;
    }

    public async Task<byte[]?> LoadIdentityAsync(SignalAddress address, CancellationToken cancellationToken) =>
        TryPending(l => l.Changes.Identities, address, out var key) ? key : await signal.LoadIdentityAsync(address, cancellationToken);

    public async Task<byte[]?> LoadSenderKeyAsync(string group, SignalAddress sender, CancellationToken cancellationToken) =>
        TryPending(l => l.Changes.SenderKeys, (group, sender), out var record) ? record : await signal.LoadSenderKeyAsync(group, sender, cancellationToken);

    public async Task<string?> GetLidUserAsync(string phoneUser, CancellationToken cancellationToken)
    {
        foreach (var layer in Layers)
        {
            if (layer.Changes.LidMappings.LastOrDefault(p => p.Value == phoneUser) is { Key: { } lid })
            {
                return lid;
            }
        }

        if (!_storedLidOfPhone.TryGetValue(phoneUser, out var stored))
        {
            _storedLidOfPhone[phoneUser] = stored = await signal.GetLidUserAsync(phoneUser, cancellationToken);
        }

        return stored is not null && Layers.Any(l => l.Changes.LidMappings.ContainsKey(stored)) ? null : stored; // that LID was paired anew
    }

    public async Task<string?> GetPhoneUserAsync(string lidUser, CancellationToken cancellationToken)
    {
        if (TryPending(l => l.Changes.LidMappings, lidUser, out var phone))
        {
            return phone;
        }

        if (!_storedPhoneOfLid.TryGetValue(lidUser, out var stored))
        {
            _storedPhoneOfLid[lidUser] = stored = await signal.GetPhoneUserAsync(lidUser, cancellationToken);
        }

        return stored is not null && Layers.Any(l => l.Changes.LidMappings.ContainsValue(stored)) ? null : stored; // that number was paired anew
    }

    public Task<int> CountDecryptFailureAsync(string senderDevice, string id, CancellationToken cancellationToken) =>
        messages.CountDecryptFailureAsync(senderDevice, id, cancellationToken);

    public Task<OutboundMessage> EnqueueOutboundAsync(string? callerId, string to, string text, CancellationToken cancellationToken) =>
        messages.EnqueueOutboundAsync(callerId, to, text, cancellationToken);

    public Task<OutboundMessage?> GetOutboundAsync(string messageId, CancellationToken cancellationToken) =>
        messages.GetOutboundAsync(messageId, cancellationToken);

    public Task<OutboundMessage?> GetOutboundByCallerIdAsync(string callerId, CancellationToken cancellationToken) =>
        messages.GetOutboundByCallerIdAsync(callerId, cancellationToken);

    public Task<IReadOnlyList<OutboundMessage>> GetPendingOutboundAsync(int max, CancellationToken cancellationToken) =>
        messages.GetPendingOutboundAsync(max, cancellationToken);

    public Task CommitSendAttemptAsync(SignalChanges changes, string messageId, CancellationToken cancellationToken) =>
        messages.CommitSendAttemptAsync(changes, messageId, cancellationToken);

    public Task<bool> UpdateOutboundStatusAsync(string messageId, MessageStatus status, DateTimeOffset at, string? reason, CancellationToken cancellationToken) =>
        messages.UpdateOutboundStatusAsync(messageId, status, at, reason, cancellationToken);

    public Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken) =>
        messages.ReadEventsAsync(afterCursor, max, cancellationToken);

    public Task AckEventsAsync(string consumer, long cursor, CancellationToken cancellationToken) =>
        messages.AckEventsAsync(consumer, cursor, cancellationToken);

    public Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken) =>
        messages.GetAckedCursorAsync(consumer, cancellationToken);

    public Task<DailyCounters> GetDailyCountersAsync(DateOnly day, CancellationToken cancellationToken) =>
        messages.GetDailyCountersAsync(day, cancellationToken);

    // The undecryptable sweep's memory is not part of the atomic step: it only says since when a message waits.
    public Task RememberUndecryptedAsync(InboundMessage message, CancellationToken cancellationToken) =>
        messages.RememberUndecryptedAsync(message, cancellationToken);

    public Task<IReadOnlyList<InboundMessage>> StoreUndecryptedAsync(DateTimeOffset failedBefore, string reason, CancellationToken cancellationToken) =>
        messages.StoreUndecryptedAsync(failedBefore, reason, cancellationToken);

    /// <summary>The current stanza's layer first: its changes are the newest.</summary>
    private IEnumerable<Layer> Layers => [_stanza, _batch];

    /// <summary>
    /// The newest row of the batch that is (chat, sender, id) in either PN or LID form, as the store's
    /// dedupe sees it across batches (docs/protocol/messaging.md §1): one message delivered under both
    /// forms of its sender is one message within a batch too.
    /// </summary>
    private async Task<InboundMessage?> PendingAsync(string chat, string sender, string id, CancellationToken cancellationToken)
    {
        if (!HasRowWithId(_batch.Rows, id) && !HasRowWithId(_stanza.Rows, id))
        {
            return null; // nearly always (twice per message): no canonical forms to work out
        }

        (string Chat, string Sender)? wanted = null;
        InboundMessage? found = null;
        foreach (var row in _batch.Rows.Concat(_stanza.Rows))
        {
            if (row.Id != id)
            {
                continue;
            }

            wanted ??= (await CanonicalAsync(chat, cancellationToken), await CanonicalAsync(sender, cancellationToken));
            if ((await CanonicalAsync(row.Chat, cancellationToken), await CanonicalAsync(row.Sender, cancellationToken)) == wanted)
            {
                found = row;
            }
        }

        return found;
    }

    private static bool HasRowWithId(List<InboundMessage> rows, string id)
    {
        foreach (var row in rows)
        {
            if (row.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A user JID in its LID form when the map (the batch's pairs over the stored ones) knows it; anything else as it is.</summary>
    private async Task<string> CanonicalAsync(string jid, CancellationToken cancellationToken)
    {
        const string PhoneSuffix = "@s.whatsapp.net";
        return jid.EndsWith(PhoneSuffix, StringComparison.Ordinal)
            && await GetLidUserAsync(jid[..^PhoneSuffix.Length], cancellationToken) is { } lid
            ? lid + "@lid"
            : jid;
    }

    private bool TryPending<TKey, TValue>(Func<Layer, Dictionary<TKey, TValue>> of, TKey key, out TValue value)
        where TKey : notnull
    {
        foreach (var layer in Layers)
        {
            if (of(layer).TryGetValue(key, out value!))
            {
                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>Changes, rows and effects (a node to send or an event to raise) not yet saved.</summary>
    private sealed class Layer
    {
        public SignalChanges Changes { get; } = new();

        public List<InboundMessage> Rows { get; } = [];

        public List<(Node? Send, WaEvent? Raise)> Effects { get; } = [];
    }
}
