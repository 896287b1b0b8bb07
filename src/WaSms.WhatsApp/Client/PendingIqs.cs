using System.Collections.Concurrent;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// Iqs sent and still waiting for their answer, by id (whatsmeow request.go's response waiters).
/// Both ends of the link use it: the client for its requests to the server, the emulator's server
/// side for the iqs it sends to a device.
/// </summary>
internal sealed class PendingIqs
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Node>> _waiting = new(StringComparer.Ordinal);

    /// <summary>Starts waiting for the answer to iq <paramref name="id"/>; call before sending it, so a fast answer is not missed.</summary>
    public Task<Node> Add(string id)
    {
        var waiter = new TaskCompletionSource<Node>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = waiter;
        return waiter.Task;
    }

    public void Remove(string id) => _waiting.TryRemove(id, out _);

    /// <summary>
    /// True when <paramref name="iq"/> is an answer (type result or error), which then completes its
    /// waiter if one is still there; an answer nobody waits for any more (timed out) is dropped.
    /// </summary>
    public bool TryAnswer(Node iq)
    {
        if (iq.Attr("type") is not ("result" or "error"))
        {
            return false;
        }

        Complete(iq.Attr("id") ?? string.Empty, iq);
        return true;
    }

    /// <summary>Completes the wait for <paramref name="id"/> with <paramref name="answer"/>, if one is open (message acks use this too).</summary>
    public void Complete(string id, Node answer)
    {
        if (_waiting.TryRemove(id, out var waiter))
        {
            waiter.TrySetResult(answer);
        }
    }

    /// <summary>The connection ended: every wait still open fails, with <paramref name="error"/> or as cancelled.</summary>
    public void FailAll(Exception? error = null)
    {
        foreach (var pending in _waiting)
        {
            if (error is null)
            {
                pending.Value.TrySetCanceled(CancellationToken.None);
            }
            else
            {
                pending.Value.TrySetException(error);
            }
        }

        _waiting.Clear();
    }
}
