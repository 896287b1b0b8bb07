using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.Emulators.WhatsApp.Groups;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Routing;

/// <summary>A message the server fanned out: whom receipts for it go back to.</summary>
/// <param name="Id">The client's message id.</param>
/// <param name="Sender">The device that sent it.</param>
/// <param name="Chat">The chat as the sender addressed it (user or group JID).</param>
/// <param name="Lid">True when the chat is addressed by LID (1:1 by LID, or a LID-addressed group).</param>
/// <param name="Group">The group, for group messages.</param>
internal sealed record SentMessage(string Id, ServerDevice Sender, Jid Chat, bool Lid, EmulatedGroup? Group);

/// <summary>The most recent fanned-out messages by id, bounded (receipts for older ones are only forwarded by their <c>to</c>).</summary>
internal sealed class MessageLog
{
    /// <summary>How many messages are remembered.</summary>
    public const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<SentMessage>> _byId = new(StringComparer.Ordinal);
    private readonly Queue<SentMessage> _order = new();

    public void Add(SentMessage message)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(message.Id, out var list))
            {
                _byId[message.Id] = list = [];
            }

            list.Add(message);
            _order.Enqueue(message);
            while (_order.Count > Capacity)
            {
                var old = _order.Dequeue();
                if (_byId.TryGetValue(old.Id, out var oldList) && oldList.Remove(old) && oldList.Count == 0)
                {
                    _byId.Remove(old.Id);
                }
            }
        }
    }

    /// <summary>
    /// The message a receipt with <paramref name="id"/> answers: the newest one whose chat or sender
    /// matches the receipt's <c>to</c> (a group, or the sender's user or device), or the newest with
    /// that id when the receipt has no usable <c>to</c> (Baileys' <c>sender</c> receipts in PN chats, §13 q13).
    /// </summary>
    public SentMessage? Find(string id, EmulatedAccount? toAccount, Jid? to)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var list))
            {
                return null;
            }

            for (var i = list.Count - 1; i >= 0; i--)
            {
                var message = list[i];
                if (to is null
                    || (message.Group is { } group && group.Jid == to)
                    || (toAccount is not null && message.Sender.Account == toAccount))
                {
                    return message;
                }
            }

            return null;
        }
    }
}
