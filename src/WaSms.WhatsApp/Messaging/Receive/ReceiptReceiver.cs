using System.Globalization;
using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// Handles an inbound <c>&lt;receipt&gt;</c> (docs/protocol/messaging.md §9): moves each named message
/// of ours forward in the store and raises <see cref="MessageStatusChanged"/> for the ones that moved,
/// hands a retry receipt to <paramref name="onRetry"/>, and acks it (<c>&lt;ack class="receipt"&gt;</c>, §5) once that is done.
/// </summary>
internal sealed class ReceiptReceiver(ReceiveContext context, Func<RetryReceiptReceived, Task> onRetry)
{
    /// <summary>
    /// The state a receipt type means for a message we sent (§9, Baileys <c>getStatusFromReceiptType</c>):
    /// none/<c>inactive</c> = delivered (open question 1), <c>read</c>/<c>read-self</c>/<c>played</c> = read;
    /// <c>sender</c> (our other device got the copy), <c>retry</c> and the rest change nothing.
    /// </summary>
    public static MessageStatus? StatusOf(string? type) => type switch
    {
        null or "" or "inactive" => MessageStatus.Delivered,
        "read" or "read-self" or "played" or "played-self" => MessageStatus.Read,
        _ => null,
    };

    public async Task HandleAsync(Node receipt, CancellationToken cancellationToken)
    {
        var changes = new SignalChanges();
        LidPairs.Collect(receipt, changes.LidMappings);
        if (!changes.IsEmpty)
        {
            await context.Signal.CommitAsync(changes, cancellationToken);
        }

        var type = receipt.Attr("type");
        if (type == "retry")
        {
            if (RetryReceiptParser.Parse(receipt, out var problem) is { } retry)
            {
                await onRetry(retry);
            }
            else
            {
                context.Logger.LogWarning("Retry receipt {Id} ignored: {Problem}", receipt.Attr("id"), problem);
            }
        }
        else if (StatusOf(type) is { } status)
        {
            await UpdateAsync(receipt, status, cancellationToken);
        }

        // Acked only once the status is stored: a store failure leaves the receipt unanswered (the
        // handler's guard logs it) so the server delivers it again, as for messages (commit before ack).
        await context.Send(StanzaAck.For(receipt), cancellationToken);
    }

    private async Task UpdateAsync(Node receipt, MessageStatus status, CancellationToken cancellationToken)
    {
        var at = TimeOf(receipt) ?? context.Time.GetUtcNow();
        foreach (var (id, when) in Answered(receipt, at))
        {
            if (!await context.Messages.UpdateOutboundStatusAsync(id, status, when, null, cancellationToken))
            {
                continue; // not ours, or already there: a group send moves at its first participant's receipt (§9a)
            }

            var job = await context.Messages.GetOutboundAsync(id, cancellationToken);
            context.Raise(new MessageStatusChanged(new StatusChange(id, job?.CallerId, job?.To ?? receipt.Attr("from") ?? string.Empty, status, when, null)));
        }
    }

    /// <summary>
    /// The messages a receipt answers, each with its time: the receipt's id and those of its
    /// <c>&lt;list&gt;&lt;item id/&gt;</c> (one receipt may cover several messages, §4) at the receipt's
    /// <c>t</c>; and for a grouped group receipt (no <c>participant</c>, whatsmeow receipt.go
    /// <c>parseReceipt</c>/<c>handleGroupedReceipt</c>) each <c>&lt;participants key&gt;</c> at the earliest
    /// <c>t</c> of its <c>&lt;user jid t/&gt;</c> children (§9a).
    /// </summary>
    private static IEnumerable<(string Id, DateTimeOffset At)> Answered(Node receipt, DateTimeOffset at)
    {
        if (receipt.Attr("id") is { Length: > 0 } first)
        {
            yield return (first, at);
        }

        foreach (var child in receipt.Children)
        {
            if (child.Tag == "list")
            {
                foreach (var item in child.Children)
                {
                    if (item.Tag == "item" && item.Attr("id") is { Length: > 0 } id)
                    {
                        yield return (id, at);
                    }
                }
            }
            else if (child.Tag == "participants" && child.Attr("key") is { Length: > 0 } key)
            {
                var users = child.Children.Where(u => u.Tag == "user" && u.Attr("jid") is { Length: > 0 }).ToList();
                if (users.Count > 0)
                {
                    yield return (key, users.Select(TimeOf).Min() ?? at);
                }
            }
        }
    }

    /// <summary>The node's <c>t</c> (Unix seconds), or null when absent or out of range.</summary>
    private static DateTimeOffset? TimeOf(Node node) =>
        long.TryParse(node.Attr("t"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(t)
            : null;
}
