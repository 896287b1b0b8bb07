using Google.Protobuf;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.Emulators.WhatsApp.Groups;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;

namespace WaSms.Emulators.WhatsApp.Contacts;

/// <summary>
/// Groups with sender keys (docs/protocol/messaging.md §6.4): the phone's own sender key per group,
/// its distribution to member devices that have not had it yet (Baileys' way), and the senders' keys
/// it received, by (group, sending device).
/// </summary>
internal sealed partial class PlayedPhone
{
    private readonly Dictionary<(Jid Group, string Phone, uint Device), SenderKeyRecord> _senderKeys = [];
    private readonly Dictionary<Jid, SenderKeyRecord> _ownSenderKeys = [];
    private readonly HashSet<(Jid Group, string Phone, uint Device)> _distributedTo = [];

    /// <summary>
    /// Sends <paramref name="text"/> to <paramref name="group"/>: the <c>skmsg</c> for everyone and,
    /// in <c>&lt;participants&gt;</c>, the SKDM for member devices that lack this phone's sender key.
    /// </summary>
    /// <returns>The message id.</returns>
    public async Task<string> SendGroupTextAsync(EmulatedGroup group, string text, CancellationToken cancellationToken)
    {
        var id = MessageContent.NewId();
        var lid = group.LidAddressed;
        var message = new Message { Conversation = text };
        Remember(new SentText(id, message, group.Jid, group, lid));
        var distribution = new Message { SenderKeyDistributionMessage = Distribution(group) };
        var participants = new List<Node>();
        foreach (var device in group.Members.SelectMany(m => m.Devices).Where(d => d != Device))
        {
            var key = (group.Jid, device.Account.PhoneNumber, device.Id);
            if (!_distributedTo.Contains(key) && await EncryptForAsync(device, distribution, cancellationToken) is { } enc)
            {
                participants.Add(NodeHelpers.Make("to", [("jid", device.In(lid))], enc));
                _distributedTo.Add(key);
            }
        }

        var skmsg = GroupCipher.Encrypt(OwnSenderKey(group), MessagePadding.Pad(message.ToByteArray()));
        var children = new List<Node>();
        if (participants.Count > 0)
        {
            children.Add(NodeHelpers.Make("participants", [], [.. participants]));
        }

        children.Add(NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "skmsg")], skmsg));
        var stanza = NodeHelpers.Make("message", [("id", id), ("to", group.Jid), ("type", "text"), ("addressing_mode", group.AddressingMode)], [.. children]);
        await _emulator.Messages.OnMessageAsync(Device, stanza, cancellationToken);
        return id;
    }

    /// <summary>The SKDM of this phone's sender key for <paramref name="group"/>, signed as its LID or PN per the group's mode.</summary>
    private SenderKeyDistributionMessage Distribution(EmulatedGroup group) => new()
    {
        GroupId = group.Jid.ToString(),
        AxolotlSenderKeyDistributionMessage = ByteString.CopyFrom(GroupSessionBuilder.CreateDistribution(OwnSenderKey(group))),
    };

    private SenderKeyRecord OwnSenderKey(EmulatedGroup group)
    {
        if (!_ownSenderKeys.TryGetValue(group.Jid, out var own))
        {
            _ownSenderKeys[group.Jid] = own = new SenderKeyRecord();
        }

        return own;
    }

    private void ProcessDistribution(Jid group, ServerDevice sender, ReadOnlySpan<byte> distribution)
    {
        var key = (group, sender.Account.PhoneNumber, sender.Id);
        if (!_senderKeys.TryGetValue(key, out var record))
        {
            record = new SenderKeyRecord();
        }

        GroupSessionBuilder.Process(record, distribution);
        _senderKeys[key] = record;
    }

    private byte[] DecryptGroup(ReadOnlySpan<byte> skmsg, ServerDevice sender, Jid? group)
    {
        if (group is null || !_senderKeys.TryGetValue((group, sender.Account.PhoneNumber, sender.Id), out var record))
        {
            throw new SignalException(SignalError.NoSenderKey, "No sender key for this group sender yet.");
        }

        return GroupCipher.Decrypt(record, skmsg);
    }
}
