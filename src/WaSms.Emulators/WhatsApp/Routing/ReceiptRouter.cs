using System.Globalization;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Routing;

/// <summary>
/// Receipts and acks from a device (docs/protocol/messaging.md §4, §8, §9, §12): a receipt answers
/// the messages it names (they leave the device's unacknowledged list), is acked with
/// <c>&lt;ack class="receipt"&gt;</c>, and goes to the sending device(s) — <c>from</c> the receiving
/// device for 1:1, <c>from</c> the group with <c>participant</c> for groups, with <c>recipient</c> when
/// the receiver is one of the sender's own devices. Children (<c>&lt;list&gt;</c>, <c>&lt;retry&gt;</c>,
/// <c>&lt;registration&gt;</c>, <c>&lt;keys&gt;</c>) pass unchanged. A retry receipt goes to the sending
/// device only (it alone is asked to re-encrypt); the others to every device of the sending account
/// but the receiver.
/// </summary>
internal sealed class ReceiptRouter(AccountDirectory accounts, MessageLog log, TimeProvider time)
{
    public async Task OnReceiptAsync(ServerDevice receiver, Node receipt, CancellationToken cancellationToken)
    {
        var id = receipt.Attr("id") ?? string.Empty;
        var type = receipt.Attr("type");
        List<(string, AttrValue)> ack = [("class", "receipt"), ("id", id)];
        if (type is not null)
        {
            ack.Add(("type", type));
        }

        await receiver.Mailbox.SendIfOnlineAsync(NodeHelpers.Make("ack", [.. ack]), cancellationToken);

        var ids = new List<string> { id };
        if (receipt.TryGetChild("list", out var list))
        {
            ids.AddRange(list.Children.Where(i => i.Tag == "item").Select(i => i.Attr("id")).OfType<string>());
        }

        foreach (var answered in ids)
        {
            receiver.Mailbox.Acknowledge("message", answered);
        }

        var to = receipt.JidAttr("to");
        var toAccount = accounts.Find(to);
        var now = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (log.Find(id, toAccount, to) is { } sent)
        {
            var targets = type == "retry"
                ? [sent.Sender]
                : sent.Sender.Account.Devices.Where(d => d != receiver).ToList();
            var forwarded = Forward(receipt, receiver, sent.Group?.Jid, sent.Lid, sent.Sender.Account == receiver.Account ? sent.Chat : null, now);
            foreach (var target in targets)
            {
                await target.Mailbox.DeliverAsync(forwarded, cancellationToken);
            }
        }
        else if (to is not null && to.Server != JidServer.Group && accounts.FindDevice(to) is { } device && device != receiver)
        {
            // A receipt for a message the log no longer holds: its "to" names the sending device.
            await device.Mailbox.DeliverAsync(Forward(receipt, receiver, null, to.Server == JidServer.Lid, null, now), cancellationToken);
        }
    }

    /// <summary>A device's <c>&lt;ack&gt;</c>: the stanza it answers leaves the unacknowledged list (a nack too: it was received).</summary>
    public static void OnAck(ServerDevice sender, Node ack)
    {
        if (ack.Attr("class") is { } tag && ack.Attr("id") is { } id)
        {
            sender.Mailbox.Acknowledge(tag, id);
        }
    }

    private static Node Forward(Node receipt, ServerDevice receiver, Jid? group, bool lid, Jid? ownChat, string now)
    {
        var attributes = new List<(string Key, AttrValue Value)> { ("id", receipt.Attr("id") ?? string.Empty) };
        if (group is not null)
        {
            attributes.Add(("from", group));
            attributes.Add(("participant", receiver.In(lid)));
        }
        else
        {
            attributes.Add(("from", receiver.In(lid)));
            if (ownChat is not null)
            {
                attributes.Add(("recipient", ownChat));
            }
        }

        attributes.Add(("t", receipt.Attr("t") ?? now));
        foreach (var copied in (string[])["type", "category"])
        {
            if (receipt.Attr(copied) is { } value)
            {
                attributes.Add((copied, value));
            }
        }

        return NodeHelpers.Make("receipt", [.. attributes], [.. receipt.Children]);
    }
}
