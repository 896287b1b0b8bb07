using System.Collections.Concurrent;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// Messages written and waiting for the server's <c>&lt;ack class="message" id&gt;</c> (whatsmeow waits on
/// the stanza id for it as for an iq answer). An ack nobody waits for (a retry resend, a late ack) is dropped.
/// </summary>
internal sealed class PendingAcks
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Node>> _waiting = new(StringComparer.Ordinal);

    /// <summary>Starts waiting for the ack of message <paramref name="id"/>; call before writing it.</summary>
    public Task<Node> Add(string id)
    {
        var waiter = new TaskCompletionSource<Node>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = waiter;
        return waiter.Task;
    }

    public void Remove(string id) => _waiting.TryRemove(id, out _);

    /// <summary>Completes the waiter of a message-class <paramref name="ack"/>; false for other acks.</summary>
    public bool TryAnswer(Node ack)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Attr("class") != "message")
        {
            return false;
        }

        if (_waiting.TryRemove(ack.Attr("id") ?? string.Empty, out var waiter))
        {
            waiter.TrySetResult(ack);
        }

        return true;
    }

    /// <summary>The connection ended: every wait fails as cancelled.</summary>
    public void CancelAll()
    {
        foreach (var pending in _waiting)
        {
            pending.Value.TrySetCanceled(CancellationToken.None);
        }

        _waiting.Clear();
    }
}
