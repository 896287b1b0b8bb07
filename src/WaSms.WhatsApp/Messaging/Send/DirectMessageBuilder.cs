using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// A 1:1 send (docs/protocol/messaging.md §1, §6.3). Addressing, as whatsmeow does it: a phone-number
/// chat whose LID is known (store, or the usync <c>&lt;lid/&gt;</c> answer) is sent to the LID, with
/// <c>peer_recipient_pn</c> naming the number and our own LID as sender identity; without a LID it is sent
/// to the number, as Baileys rc14 does. The fan-out is every device of the chat's user and of our own
/// user (same identity kind) except this device; our own devices get the device-sent copy.
/// </summary>
internal static class DirectMessageBuilder
{
    /// <summary>The queries (devices, prekeys), with no lock held; the returned step encrypts, under the caller's lock.</summary>
    /// <returns>Null when the recipient has no devices (not on WhatsApp).</returns>
    public static async Task<Func<CancellationToken, Task<PreparedSend>>?> PlanAsync(
        SendContext context, IStanzaChannel channel, OwnDevice own, string messageId, Jid to, Message message, CancellationToken cancellationToken)
    {
        var changes = new SignalChanges();
        var chat = new Jid(to.User, to.Server);
        Jid? peerPn = null;
        if (chat.Server == JidServer.WhatsApp)
        {
            var lidUser = (await UserIdentity.ResolveAsync(chat, changes.LidMappings, context.Signal, cancellationToken)).Lid?.User;
            if (lidUser is null)
            {
                var answer = (await context.Devices.GetAsync(channel, [chat], changes, cancellationToken))[0];
                if (answer.Devices.Count == 0 && answer.Lid is null)
                {
                    return null;
                }

                lidUser = answer.Lid?.User;
            }

            if (lidUser is not null)
            {
                peerPn = chat;
                chat = new Jid(lidUser, JidServer.Lid);
            }
        }

        var lists = await context.Devices.GetAsync(channel, [chat, own.UserFor(chat.Server)], changes, cancellationToken);
        if (lists[0].Devices.Count == 0)
        {
            return null;
        }

        var plain = OutgoingMessage.Bytes(message);
        var deviceSent = OutgoingMessage.Bytes(OutgoingMessage.DeviceSent(chat, message));
        var allDevices = lists.SelectMany(l => l.Devices).Distinct().ToList();
        var targets = new List<DeviceTarget>();
        foreach (var device in allDevices.Where(d => !own.IsThisDevice(d)))
        {
            targets.Add(await DeviceTarget.ForAsync(device, own.IsOwnUser(device) ? deviceSent : plain, changes, context.Signal, cancellationToken));
        }

        var encryptor = context.Encryptor(own);
        var bundles = await encryptor.FetchBundlesAsync(channel, targets, changes, freshSession: false, cancellationToken);
        return async ct =>
        {
            var fanout = await encryptor.EncryptAsync(targets, bundles, changes, freshSession: false, ct);
            if (fanout.Nodes.Count == 0)
            {
                throw new WaProtocolException($"No device of {chat} could be encrypted for.");
            }

            return Build(own, messageId, chat, peerPn, fanout, changes, allDevices);
        };
    }

    private static PreparedSend Build(OwnDevice own, string messageId, Jid chat, Jid? peerPn, Fanout fanout, SignalChanges changes, List<Jid> allDevices)
    {
        var attributes = new List<(string, AttrValue)> { ("id", messageId), ("to", chat), ("type", "text") };
        if (peerPn is not null)
        {
            attributes.Add(("peer_recipient_pn", peerPn));
        }

        var content = new List<Node> { NodeHelpers.Make("participants", [], [.. fanout.Nodes]) };
        if (fanout.AnyPreKeyMessage)
        {
            content.Add(own.DeviceIdentityNode());
        }

        var stanza = NodeHelpers.Make("message", [.. attributes], [.. content]);
        return new PreparedSend(stanza, changes, ParticipantHash.V2(allDevices), chat, null);
    }
}
