namespace WaSms.WhatsApp.Store;

/// <summary>Messages waiting for a resend after a failed decrypt, and PN/LID-equivalent dedupe, in memory.</summary>
public sealed partial class InMemoryMessageStore
{
    private readonly Dictionary<(string Chat, string Sender, string Id), (InboundMessage Message, DateTimeOffset FirstFailedAt)> _undecrypted = [];

    /// <inheritdoc />
    public Task RememberUndecryptedAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (Gate)
        {
            _undecrypted.TryAdd((message.Chat, message.Sender, message.Id), (message with { Type = "undecryptable", Text = null, Content = null }, time.GetUtcNow()));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<InboundMessage>> StoreUndecryptedAsync(DateTimeOffset failedBefore, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var stored = new List<InboundMessage>();
        lock (Gate)
        {
            foreach (var (key, (message, firstFailedAt)) in _undecrypted.Where(u => u.Value.FirstFailedAt < failedBefore).OrderBy(u => u.Value.FirstFailedAt).ToList())
            {
                _undecrypted.Remove(key);
                var row = message with { Error = message.Error is null ? reason : $"{reason} ({message.Error})" };
                if (!HasEquivalent(row.Chat, row.Sender, row.Id) && _inbound.TryAdd(key, time.GetUtcNow()))
                {
                    _events.Add(new MessageEvent(_events.Count + 1, MessageEventKind.Message, row, null));
                    stored.Add(row);
                }
            }
        }
        return Task.FromResult<IReadOnlyList<InboundMessage>>(stored);
    }

    /// <summary>True when (chat, sender, id) is stored under any PN/LID form the LID map knows; the caller holds the gate.</summary>
    private bool HasEquivalent(string chat, string sender, string id) =>
        signal.FormsOf(chat).Any(c => signal.FormsOf(sender).Any(s => _inbound.ContainsKey((c, s, id))));
}
