using System.Buffers.Binary;
using Google.Protobuf;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;

namespace WaSms.Emulators.WhatsApp.Contacts;

/// <summary>Sending as a client does (docs/protocol/messaging.md §6): fan-out per device, sessions from fetched bundles, resends on retry receipts.</summary>
internal sealed partial class PlayedPhone
{
    /// <summary>How many sent messages are kept for answering retry receipts (whatsmeow keeps 256).</summary>
    private const int RecentCapacity = 256;

    private readonly Dictionary<string, SentText> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();

    /// <summary>
    /// Sends <paramref name="text"/> 1:1 to <paramref name="to"/>: one <c>&lt;enc&gt;</c> per device of
    /// the recipient and per other device of this account (those get the device-sent copy), addressed
    /// by LID or by phone number; devices without a session get one from a bundle the server hands out.
    /// </summary>
    /// <returns>The message id.</returns>
    public async Task<string> SendTextAsync(EmulatedAccount to, string text, bool lid, CancellationToken cancellationToken)
    {
        var id = MessageContent.NewId();
        var message = new Message { Conversation = text };
        var chat = to.User(lid);
        Remember(new SentText(id, message, chat, null, lid));
        var participants = new List<Node>();
        foreach (var device in to.Devices.Concat(Account.Devices).Distinct().Where(d => d != Device))
        {
            var content = device.Account == Account ? MessageContent.DeviceSent(message, chat.ToString()) : message;
            if (await EncryptForAsync(device, content, cancellationToken) is { } enc)
            {
                participants.Add(NodeHelpers.Make("to", [("jid", device.In(lid))], enc));
            }
        }

        var stanza = NodeHelpers.Make("message", [("id", id), ("to", chat), ("type", "text")], NodeHelpers.Make("participants", [], [.. participants]));
        await _emulator.Messages.OnMessageAsync(Device, stanza, cancellationToken);
        return id;
    }

    /// <summary>
    /// A device could not decrypt what this phone sent (§8): a new session from the <c>&lt;keys&gt;</c>
    /// it sent (or a fresh bundle from the server), then the same message again for that device only,
    /// with <c>count</c>, whatsmeow's way (<c>device_fanout="false"</c>; groups: <c>participant</c> + SKDM).
    /// </summary>
    private async Task HandleRetryAsync(Node receipt, CancellationToken cancellationToken)
    {
        var id = receipt.Attr("id") ?? string.Empty;
        var retry = receipt.TryGetChild("retry", out var r) ? r : null;
        var count = retry is not null && retry.TryIntAttr("count", out var c) ? c : 1;
        var from = receipt.Attr("participant") is not null ? receipt.JidAttr("participant") : receipt.JidAttr("from");
        if (!_recent.TryGetValue(id, out var sent) || _emulator.Accounts.FindDevice(from) is not { } device || count > MaxRetries + 1)
        {
            return;
        }

        var key = (device.Account.PhoneNumber, device.Id);
        var record = new SessionRecord();
        if (BundleFromKeys(receipt, device.Id) is { } bundle)
        {
            SessionBuilder.InitFromBundle(record, Keys.Identity, bundle);
        }
        else if (device.Keys.TakeBundle(device.Id, out _) is { } fetched)
        {
            SessionBuilder.InitFromBundle(record, Keys.Identity, fetched);
        }
        else
        {
            return;
        }

        _sessions[key] = record;
        var content = sent.Message.Clone();
        if (sent.Group is { } group)
        {
            content.SenderKeyDistributionMessage = Distribution(group);
        }
        else if (device.Account == Account)
        {
            content = MessageContent.DeviceSent(content, sent.Chat.ToString());
        }

        var (type, ciphertext) = SessionCipher.Encrypt(record, Keys.Identity, MessagePadding.Pad(content.ToByteArray()));
        var enc = NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", type), ("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture))], ciphertext);
        var stanza = sent.Group is { } g
            ? NodeHelpers.Make("message", [("id", id), ("to", g.Jid), ("type", "text"), ("participant", device.In(sent.Lid))], enc)
            : NodeHelpers.Make("message", [("id", id), ("to", device.In(sent.Lid)), ("type", "text"), ("device_fanout", "false")], enc);
        await _emulator.Messages.OnMessageAsync(Device, stanza, cancellationToken);
    }

    /// <summary>An <c>&lt;enc&gt;</c> for one device, starting a session from a server bundle if there is none; null if the device has no keys.</summary>
    private async Task<Node?> EncryptForAsync(ServerDevice device, Message content, CancellationToken cancellationToken)
    {
        var key = (device.Account.PhoneNumber, device.Id);
        if (!_sessions.TryGetValue(key, out var record) || !record.HasOpenSession)
        {
            var bundle = device.Keys.TakeBundle(device.Id, out var left);
            if (bundle is null)
            {
                return null;
            }

            record = new SessionRecord();
            try
            {
                SessionBuilder.InitFromBundle(record, Keys.Identity, bundle);
            }
            catch (SignalException ex)
            {
                LastError = $"bundle of {device}: {ex.Message}";
                return null;
            }

            _sessions[key] = record;
            if (bundle.PreKeyId is not null && left == PreKeyUpload.MinServerCount - 1)
            {
                await device.Mailbox.DeliverAsync(_emulator.PreKeyCountNotification(left), cancellationToken);
            }
        }

        var (type, ciphertext) = SessionCipher.Encrypt(record, Keys.Identity, MessagePadding.Pad(content.ToByteArray()));
        return NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", type)], ciphertext);
    }

    private void Remember(SentText sent)
    {
        _recent[sent.Id] = sent;
        _recentOrder.Enqueue(sent.Id);
        while (_recentOrder.Count > RecentCapacity)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }
    }

    /// <summary>The bundle in a retry receipt's <c>&lt;keys&gt;</c> with its <c>&lt;registration&gt;</c>, or null.</summary>
    private static PreKeyBundle? BundleFromKeys(Node receipt, uint deviceId)
    {
        if (!receipt.TryGetChild("keys", out var keys) || !receipt.TryGetBytesChild("registration", out var registration) || registration.Length != 4
            || !keys.TryGetBytesChild("identity", out var identity) || !keys.TryGetChild("skey", out var skey)
            || !skey.TryGetBytesChild("id", out var signedId) || !skey.TryGetBytesChild("value", out var signedKey) || !skey.TryGetBytesChild("signature", out var signature))
        {
            return null;
        }

        uint? preKeyId = null;
        byte[] preKey = [];
        if (keys.TryGetChild("key", out var key) && key.TryGetBytesChild("id", out var keyId) && key.TryGetBytesChild("value", out var keyValue))
        {
            preKeyId = Read3(keyId);
            preKey = keyValue;
        }

        return new PreKeyBundle(BinaryPrimitives.ReadUInt32BigEndian(registration), deviceId, identity, Read3(signedId), signedKey, signature, preKeyId, preKey);
    }

    private static uint Read3(byte[] id) => id.Length == 3 ? (uint)(id[0] << 16 | id[1] << 8 | id[2]) : 0;

    /// <summary>A sent message kept for retries.</summary>
    private sealed record SentText(string Id, Message Message, Jid Chat, Groups.EmulatedGroup? Group, bool Lid);
}
