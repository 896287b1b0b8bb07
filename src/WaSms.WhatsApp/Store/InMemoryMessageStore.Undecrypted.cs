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
            _undecrypted.TryAdd((message.Chat, message.Sender, message.Id), (message with { Type = InboundMessage.Undecryptable, Text = null, Content = null }, time.GetUtcNow()));
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
                if (Add(row))
                {
                    stored.Add(row);
                }
            }
        }
        return Task.FromResult<IReadOnlyList<InboundMessage>>(stored);
    }

    /// <summary>The key (chat, sender, id) is stored under in any PN/LID form the LID map knows, or null; the caller holds the gate.</summary>
    private (string Chat, string Sender, string Id)? FindEquivalent(string chat, string sender, string id)
    {
        foreach (var c in signal.FormsOf(chat))
        {
            foreach (var s in signal.FormsOf(sender))
            {
                if (_inbound.ContainsKey((c, s, id)))
                {
                    return (c, s, id);
                }
            }
        }

        return null;
    }
}
