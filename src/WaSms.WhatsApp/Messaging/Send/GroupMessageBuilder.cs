using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging.Groups;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// A group send (docs/protocol/messaging.md §6.4): the members from the group's metadata, their devices
/// by usync, our sender key (made on first use) encrypting the body once as <c>skmsg</c>, and the
/// sender-key distribution message pairwise to the member devices that do not hold our key yet. Our
/// sender identity is our LID in a LID-addressed group and our PN otherwise (Baileys rc14); the stanza
/// carries the group's <c>addressing_mode</c> and our <c>phash</c> (whatsmeow).
/// Hosted devices are left out, as both libraries do for groups.
/// </summary>
internal static class GroupMessageBuilder
{
    /// <summary>The queries (metadata, devices, prekeys), with no lock held; the returned step encrypts, under the caller's lock.</summary>
    public static async Task<Func<CancellationToken, Task<PreparedSend>>> PlanAsync(
        SendContext context, IStanzaChannel channel, OwnDevice own, string messageId, Jid group, Message message, CancellationToken cancellationToken)
    {
        var changes = new SignalChanges();
        var metadata = await context.Groups.GetAsync(channel, group, changes, cancellationToken);
        var sender = metadata.AddressingMode == "lid" && own.Lid is not null ? own.Lid : own.Pn;
        var senderAddress = SignalAddress.FromJid(sender);
        var lists = await context.Devices.GetAsync(channel, [.. metadata.Participants.Select(p => p.Jid)], changes, cancellationToken);
        var allDevices = lists.SelectMany(l => l.Devices)
            .Where(d => d.Server is not (JidServer.Hosted or JidServer.HostedLid))
            .Distinct()
            .ToList();

        // Sessions for the devices that may need our key; the key itself is read under the lock.
        var candidates = new List<DeviceTarget>();
        foreach (var device in allDevices.Where(d => !own.IsThisDevice(d) && !context.Holders.Has(group, senderAddress, d)))
        {
            candidates.Add(await DeviceTarget.ForAsync(device, [], changes, context.Signal, cancellationToken));
        }

        var encryptor = context.Encryptor(own);
        var bundles = await encryptor.FetchBundlesAsync(channel, candidates, changes, freshSession: false, cancellationToken);
        return async ct =>
        {
            var groupName = group.ToString();
            var stored = await context.Signal.LoadSenderKeyAsync(groupName, senderAddress, ct);
            var senderKey = stored is null ? new SenderKeyRecord() : SenderKeyRecord.Deserialize(stored);
            if (senderKey.IsEmpty)
            {
                // A new key: nobody holds it yet.
                context.Holders.Forget(group, senderAddress);
            }

            var distribution = GroupSessionBuilder.CreateDistribution(senderKey);
            var skmsg = GroupCipher.Encrypt(senderKey, MessagePadding.Pad(OutgoingMessage.Bytes(message)));
            changes.SenderKeys[(groupName, senderAddress)] = senderKey.Serialize();
            var skdm = OutgoingMessage.Bytes(OutgoingMessage.SenderKeyDistribution(group, distribution));
            var targets = candidates.Where(t => !context.Holders.Has(group, senderAddress, t.Device)).Select(t => t with { Message = skdm }).ToList();
            var fanout = await encryptor.EncryptAsync(targets, bundles, changes, freshSession: false, ct);
            var phash = ParticipantHash.V2(allDevices);
            return new PreparedSend(Stanza(own, messageId, group, metadata.AddressingMode, phash, fanout, skmsg), changes, phash, group,
                () => context.Holders.Add(group, senderAddress, fanout.Devices));
        };
    }

    private static Node Stanza(OwnDevice own, string messageId, Jid group, string addressingMode, string phash, Fanout fanout, byte[] skmsg)
    {
        var content = new List<Node>();
        if (fanout.Nodes.Count > 0)
        {
            content.Add(NodeHelpers.Make("participants", [], [.. fanout.Nodes]));
        }

        if (fanout.AnyPreKeyMessage)
        {
            content.Add(own.DeviceIdentityNode());
        }

        content.Add(NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "skmsg")], skmsg));
        return NodeHelpers.Make(
            "message",
            [("id", messageId), ("to", group), ("type", "text"), ("addressing_mode", addressingMode), ("phash", phash)],
            [.. content]);
    }
}
