using System.Globalization;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.Emulators.WhatsApp.Groups;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Routing;

/// <summary>
/// What the server does with a client's <c>&lt;message&gt;</c> (docs/protocol/messaging.md §6, §12):
/// split <c>&lt;participants&gt;</c> so every device gets only its own <c>&lt;enc&gt;</c> (plus the group's
/// <c>skmsg</c>), stamp sender, time and the other identity of the sender, ack the sender with the
/// participant hash, and remember the message so receipts find their way back.
/// </summary>
internal sealed class MessageRouter(AccountDirectory accounts, GroupDirectory groups, MessageLog log, TimeProvider time)
{
    /// <summary>Fans <paramref name="message"/> from <paramref name="sender"/> out and acks it.</summary>
    public async Task OnMessageAsync(ServerDevice sender, Node message, CancellationToken cancellationToken)
    {
        var id = message.Attr("id");
        var to = message.JidAttr("to");
        var now = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (string.IsNullOrEmpty(id) || to is null)
        {
            await sender.Mailbox.SendIfOnlineAsync(Ack(id ?? string.Empty, to, now, null, "400"), cancellationToken);
            return;
        }

        var request = FanoutRequest.Parse(message);
        Fanout fanout;
        if (to.Server == JidServer.Group)
        {
            var group = groups.Find(to);
            if (group is null || !group.IsMember(sender.Account))
            {
                // Emulator choice: the real server's answer to a stranger's group message is not in the sources.
                await sender.Mailbox.SendIfOnlineAsync(Ack(id, to, now, null, group is null ? "404" : "403"), cancellationToken);
                return;
            }

            fanout = PlanGroup(sender, group, request);
            log.Add(new SentMessage(id, sender, group.Jid, group.LidAddressed, group));
        }
        else
        {
            var lid = to.Server == JidServer.Lid;
            fanout = PlanDirect(sender, to, lid, request);
            log.Add(new SentMessage(id, sender, new Jid(to.User, to.Server), lid, null));
        }

        // Acked first, as a server acks what it accepted; the copies follow.
        await sender.Mailbox.SendIfOnlineAsync(Ack(id, to, now, ParticipantHash.Of(fanout.Hashed), null), cancellationToken);
        foreach (var (target, encs) in fanout.Deliveries)
        {
            await target.Mailbox.DeliverAsync(Stanza(message, sender, target, fanout, encs, request.DeviceIdentity, now), cancellationToken);
        }
    }

    /// <summary>1:1 (PN or LID), own devices' copies, peer messages to the own phone, and targeted resends.</summary>
    private Fanout PlanDirect(ServerDevice sender, Jid to, bool lid, FanoutRequest request)
    {
        var chat = accounts.Find(to);
        var deliveries = new List<(ServerDevice, IReadOnlyList<Node>)>();
        if (chat is null)
        {
            return new Fanout(to, lid, null, deliveries, [sender.In(lid)]);
        }

        // A resend for one device (§8): whatsmeow addresses it with device_fanout="false", Baileys
        // with the device JID as "to"; only that device gets the direct <enc>. Baileys rc14 also puts
        // the same device in <participants> (two ciphertexts); the direct one, which carries count, wins.
        // A phone is written without a device part, so a whatsmeow resend to it names the bare user.
        if (request.Direct.Count > 0 && (to.Device is not null || request.DeviceFanout == "false"))
        {
            var target = accounts.FindDevice(request.Participant ?? to);
            if (target is null || target == sender)
            {
                return new Fanout(to, lid, null, deliveries, [sender.In(lid)]);
            }

            deliveries.Add((target, request.Direct));
            return new Fanout(to, lid, null, deliveries, [target.In(lid), sender.In(lid)]);
        }

        foreach (var (device, encs) in request.Participants)
        {
            if (accounts.FindDevice(device) is { } target && target != sender && (target.Account == chat || target.Account == sender.Account))
            {
                deliveries.Add((target, encs));
            }
        }

        if (request.Direct.Count > 0 && request.Participants.Count == 0 && chat.Phone != sender)
        {
            // A single <enc> for a user, as peer messages to the own phone are sent (§6.3): the phone gets it.
            deliveries.Add((chat.Phone, request.Direct));
        }

        var hashed = chat.Devices.Concat(sender.Account.Devices).Distinct().Select(d => d.In(lid));
        return new Fanout(to, lid, null, deliveries, [.. hashed]);
    }

    /// <summary>Groups: the skmsg goes to every member device but the sender's, each with its own SKDM <c>&lt;enc&gt;</c> if it has one.</summary>
    private static Fanout PlanGroup(ServerDevice sender, EmulatedGroup group, FanoutRequest request)
    {
        var lid = group.LidAddressed;
        var deliveries = new List<(ServerDevice, IReadOnlyList<Node>)>();
        var skmsg = request.Direct.Where(e => e.Attr("type") == "skmsg").ToList();
        var pairwise = request.Direct.Where(e => e.Attr("type") != "skmsg").ToList();
        var members = group.Members.SelectMany(m => m.Devices).ToList();
        if (request.Participant is { } named && pairwise.Count > 0)
        {
            // A retry resend to one member device (§8 step 5).
            if (members.FirstOrDefault(d => Same(d, named)) is { } target && target != sender)
            {
                deliveries.Add((target, [.. pairwise, .. skmsg]));
                return new Fanout(group.Jid, lid, group, deliveries, [target.In(lid), sender.In(lid)]);
            }

            return new Fanout(group.Jid, lid, group, deliveries, [sender.In(lid)]);
        }

        foreach (var target in members.Where(d => d != sender))
        {
            List<Node> encs = [.. request.Participants.Where(p => Same(target, p.Device)).SelectMany(p => p.Encs), .. skmsg];
            if (encs.Count > 0)
            {
                deliveries.Add((target, encs));
            }
        }

        return new Fanout(group.Jid, lid, group, deliveries, [.. members.Select(d => d.In(lid))]);
    }

    /// <summary>The copy <paramref name="target"/> receives (§2).</summary>
    private static Node Stanza(Node message, ServerDevice sender, ServerDevice target, Fanout fanout, IReadOnlyList<Node> encs, Node? deviceIdentity, string now)
    {
        var attributes = new List<(string Key, AttrValue Value)> { ("id", message.Attr("id")!) };
        var senderAccount = sender.Account;
        if (fanout.Group is { } group)
        {
            attributes.Add(("from", group.Jid));
            attributes.Add(("participant", sender.In(fanout.Lid)));
        }
        else
        {
            attributes.Add(("from", sender.In(fanout.Lid)));
            if (target.Account == senderAccount)
            {
                // Copies for the sender's own other devices name the chat (§2 recipient).
                attributes.Add(("recipient", fanout.Chat));
            }
        }

        attributes.Add(("t", now));
        attributes.Add(("type", message.Attr("type") ?? "text"));
        if (senderAccount.PushName is { Length: > 0 } name && target.Account != senderAccount)
        {
            attributes.Add(("notify", name));
        }

        foreach (var copied in (string[])["category", "edit"])
        {
            if (message.Attr(copied) is { } value)
            {
                attributes.Add((copied, value));
            }
        }

        if (fanout.Group is { } g)
        {
            attributes.Add(("addressing_mode", g.AddressingMode));
            attributes.Add(fanout.Lid ? ("participant_pn", senderAccount.Pn) : ("participant_lid", senderAccount.Lid));
        }
        else if (target.Account != senderAccount)
        {
            attributes.Add(fanout.Lid ? ("sender_pn", senderAccount.Pn) : ("sender_lid", senderAccount.Lid));
        }

        List<Node> children = [.. encs];
        if (deviceIdentity is not null && encs.Any(e => e.Attr("type") == "pkmsg"))
        {
            children.Add(deviceIdentity);
        }

        return NodeHelpers.Make("message", [.. attributes], [.. children]);
    }

    private static Node Ack(string id, Jid? to, string now, string? phash, string? error)
    {
        var attributes = new List<(string Key, AttrValue Value)> { ("class", "message"), ("id", id) };
        if (to is not null)
        {
            attributes.Add(("from", to));
        }

        attributes.Add(("t", now));
        if (phash is not null)
        {
            attributes.Add(("phash", phash));
        }

        if (error is not null)
        {
            attributes.Add(("error", error));
        }

        return NodeHelpers.Make("ack", [.. attributes]);
    }

    private static bool Same(ServerDevice device, Jid jid) =>
        (jid.Device ?? 0) == device.Id
        && ((jid.Server == JidServer.WhatsApp && jid.User == device.Account.PhoneNumber) || (jid.Server == JidServer.Lid && jid.User == device.Account.LidUser));

    /// <summary>The plan: who gets which <c>&lt;enc&gt;</c>, and the device set the ack's phash is taken over.</summary>
    private sealed record Fanout(Jid Chat, bool Lid, EmulatedGroup? Group, List<(ServerDevice Target, IReadOnlyList<Node> Encs)> Deliveries, IReadOnlyList<Jid> Hashed);
}
