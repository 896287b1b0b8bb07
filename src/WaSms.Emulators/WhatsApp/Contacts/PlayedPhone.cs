using System.Globalization;
using System.Threading.Channels;
using Google.Protobuf;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;

namespace WaSms.Emulators.WhatsApp.Contacts;

/// <summary>
/// Device 0 of an account, played in-process: a phone that really encrypts and decrypts with the
/// Signal code the gateway uses (sessions from bundles it takes from the emulator's prekey store,
/// pkmsg/msg, sender keys for groups). It decrypts what reaches it, keeps the texts in its inbox,
/// answers a delivery receipt at once (a <c>sender</c> receipt for its own account's device-sent
/// copies), a retry receipt when it cannot decrypt, and tops up its prekeys when the server says
/// they run low. All work for one phone runs in order on one loop, as a client's would.
/// </summary>
internal sealed partial class PlayedPhone : ILocalDevice
{
    /// <summary>Retry receipts for one message stop after this many (whatsmeow and Baileys both stop at 5, docs/protocol/messaging.md §8).</summary>
    private const int MaxRetries = 4;

    private readonly WaEmulator _emulator;
    private readonly Channel<Func<CancellationToken, Task>> _work = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(string Phone, uint Device), SessionRecord> _sessions = [];
    private readonly Dictionary<string, int> _retries = new(StringComparer.Ordinal);
    private readonly HashSet<(string Sender, string? Group, string Id)> _seen = [];
    private readonly Lock _inboxGate = new();
    private readonly List<InboxEntry> _inbox = [];

    public PlayedPhone(WaEmulator emulator, EmulatedAccount account)
    {
        _emulator = emulator;
        Account = account;
    }

    public EmulatedAccount Account { get; }

    private ServerDevice Device => Account.Phone;

    private LocalDeviceKeys Keys => Account.PhoneKeys;

    /// <summary>Runs the phone's loop until <paramref name="stopping"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken stopping) => Task.Run(
        async () =>
        {
            try
            {
                await foreach (var item in _work.Reader.ReadAllAsync(stopping))
                {
                    try
                    {
                        await item(stopping);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // One stanza the phone could not handle must not stop the phone.
                        LastError = ex.Message;
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
        },
        CancellationToken.None);

    /// <summary>What the last failed piece of work said (for tests and dev-mode diagnostics).</summary>
    public string? LastError { get; private set; }

    public void Receive(Node stanza) => _work.Writer.TryWrite(ct => HandleAsync(stanza, ct));

    /// <summary>Runs <paramref name="work"/> on the phone's loop and returns its result.</summary>
    public Task<T> RunOnLoopAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Writer.TryWrite(async ct =>
        {
            try
            {
                done.TrySetResult(await work(ct));
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        });
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The inbox; unread entries become read and their read receipts go out.</summary>
    public IReadOnlyList<EmulatedInboxMessage> ReadInbox()
    {
        List<InboxEntry> unread;
        List<EmulatedInboxMessage> all;
        lock (_inboxGate)
        {
            unread = [.. _inbox.Where(e => !e.Read && !e.OwnCopy)];
            foreach (var entry in unread)
            {
                entry.Read = true;
            }

            all = [.. _inbox.Select(e => e.Message)];
        }

        if (unread.Count > 0)
        {
            _work.Writer.TryWrite(async ct =>
            {
                foreach (var entry in unread)
                {
                    await SendReceiptAsync(entry.Message.Id, entry.ReplyTo, entry.Participant, "read", null, ct);
                }
            });
        }

        return all;
    }

    private async Task HandleAsync(Node stanza, CancellationToken cancellationToken)
    {
        switch (stanza.Tag)
        {
            case "message":
                await HandleMessageAsync(stanza, cancellationToken);
                break;
            case "receipt" when stanza.Attr("type") == "retry":
                await HandleRetryAsync(stanza, cancellationToken);
                break;
            case "receipt" when stanza.Attr("type") == "hist_sync":
                OnHistorySyncReceipt(stanza);
                break;
            case "notification" when stanza.Attr("type") == "encrypt" && stanza.TryGetChild("count", out var count)
                && count.TryIntAttr("value", out var left) && left < PreKeyUpload.MinServerCount:
                Device.Keys.Add(Keys.NewUpload(PreKeyUpload.TopUpCount));
                break;
        }
    }

    private async Task HandleMessageAsync(Node message, CancellationToken cancellationToken)
    {
        var id = message.Attr("id") ?? string.Empty;
        var from = message.JidAttr("from");
        var participant = message.JidAttr("participant");
        var groupJid = from is { Server: JidServer.Group } ? from : null;
        var sender = _emulator.Accounts.FindDevice(groupJid is null ? from : participant);
        if (from is null || sender is null)
        {
            return;
        }

        var ownCopy = sender.Account == Account;
        var seenKey = (sender.Account.PhoneNumber, groupJid?.ToString(), id);
        if (_seen.Contains(seenKey))
        {
            // A phone drops a message id it has already taken (a sender's resend under the same id after a
            // lost ack, a redelivery): receipted again, not decrypted or shown twice (docs/protocol/messaging.md §10a).
            await SendDeliveryReceiptAsync(message, id, from, participant, groupJid, ownCopy, cancellationToken);
            return;
        }

        string? text = null;
        string? destination = null;
        var failed = false;
        var maxCount = 0;
        foreach (var enc in message.Children.Where(c => c.Tag == "enc" && c.Content.Kind == NodeContentKind.Bytes))
        {
            maxCount = Math.Max(maxCount, enc.TryIntAttr("count", out var c) ? c : 0);
            try
            {
                var content = Decrypt(enc.Attr("type"), enc.Content.Bytes.Span, sender, groupJid);
                text = MessageContent.TextOf(content, out var dest) ?? text;
                destination = dest ?? destination;
            }
            catch (Exception ex) when (ex is SignalException or InvalidProtocolBufferException)
            {
                LastError = $"{id}: {ex.Message}";
                failed = true;
            }
        }

        if (failed && text is null)
        {
            await SendRetryAsync(message, id, Math.Max(maxCount, _retries.GetValueOrDefault(id)) + 1, cancellationToken);
            return;
        }

        _retries.Remove(id);
        _seen.Add(seenKey);
        if (text is not null)
        {
            var chat = groupJid?.ToString() ?? (ownCopy ? Plus(destination ?? message.Attr("recipient")) : "+" + sender.Account.PhoneNumber);
            var entry = new EmulatedInboxMessage(id, chat, "+" + sender.Account.PhoneNumber, text, _emulator.Time.GetUtcNow());
            lock (_inboxGate)
            {
                _inbox.Add(new InboxEntry(entry, groupJid ?? from, groupJid is null ? null : participant, ownCopy));
            }
        }

        await SendDeliveryReceiptAsync(message, id, from, participant, groupJid, ownCopy, cancellationToken);
    }

    private Task SendDeliveryReceiptAsync(Node message, string id, Jid from, Jid? participant, Jid? groupJid, bool ownCopy, CancellationToken cancellationToken) =>
        ownCopy
            // A copy of what another of our devices sent (§4 "sender"), whatsmeow's form: to = the sending device, recipient = the chat.
            ? SendReceiptAsync(id, from, participant, "sender", message.JidAttr("recipient"), cancellationToken)
            : SendReceiptAsync(id, groupJid ?? from, groupJid is null ? null : participant, null, null, cancellationToken);

    /// <summary>One <c>&lt;enc&gt;</c> to its message: pairwise (storing an SKDM it carries) or sender key.</summary>
    private Message Decrypt(string? type, ReadOnlySpan<byte> ciphertext, ServerDevice sender, Jid? group)
    {
        byte[] padded;
        if (type == "skmsg")
        {
            padded = DecryptGroup(ciphertext, sender, group);
        }
        else
        {
            var key = (sender.Account.PhoneNumber, sender.Id);
            var record = _sessions.GetValueOrDefault(key) ?? new SessionRecord();
            var result = SessionCipher.Decrypt(record, Keys.Identity, Keys, type ?? string.Empty, ciphertext);
            _sessions[key] = record;
            if (result.UsedPreKeyId is { } used)
            {
                Keys.Consume(used);
            }

            padded = result.Plaintext;
        }

        var message = Message.Parser.ParseFrom(MessagePadding.Unpad(padded));
        if (group is not null && message.SenderKeyDistributionMessage is { HasAxolotlSenderKeyDistributionMessage: true } skdm)
        {
            ProcessDistribution(group, sender, skdm.AxolotlSenderKeyDistributionMessage.Span);
        }

        return message;
    }

    private async Task SendRetryAsync(Node message, string id, int count, CancellationToken cancellationToken)
    {
        if (_retries.Count >= 1024)
        {
            // Bounded like whatsmeow's in-memory counters: old failures are forgotten.
            _retries.Clear();
        }

        _retries[id] = count;
        if (count > MaxRetries)
        {
            return;
        }

        var registration = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(registration, Keys.Identity.RegistrationId);
        var children = new List<Node>
        {
            NodeHelpers.Make("retry", ("count", count.ToString(CultureInfo.InvariantCulture)), ("id", id), ("t", message.Attr("t") ?? "0"), ("v", "1")),
            NodeHelpers.MakeBytes("registration", [], registration),
        };
        if (count > 1)
        {
            // From the second retry on, a fresh bundle goes with it (whatsmeow sendRetryReceipt, §8).
            var upload = Keys.NewUpload(1);
            var (preKeyId, preKey) = upload.PreKeys[0];
            var fresh = new PreKeyBundle(upload.RegistrationId, 0, upload.IdentityKey, upload.SignedPreKeyId, upload.SignedPreKey, upload.SignedPreKeySignature, preKeyId, preKey);
            children.Add(NodeHelpers.Make("keys", [], [.. PreKeyFetch.BundleNodes(fresh, withRegistration: false)]));
        }

        var from = message.JidAttr("from")!;
        var attributes = new List<(string Key, AttrValue Value)> { ("id", id), ("to", from), ("type", "retry") };
        if (message.JidAttr("participant") is { } participant)
        {
            attributes.Add(("participant", participant));
        }

        await _emulator.Receipts.OnReceiptAsync(Device, NodeHelpers.Make("receipt", [.. attributes], [.. children]), cancellationToken);
    }

    private Task SendReceiptAsync(string id, Jid to, Jid? participant, string? type, Jid? recipient, CancellationToken cancellationToken)
    {
        var attributes = new List<(string Key, AttrValue Value)> { ("id", id), ("to", to) };
        if (participant is not null)
        {
            attributes.Add(("participant", participant));
        }

        if (recipient is not null)
        {
            attributes.Add(("recipient", recipient));
        }

        if (type is not null)
        {
            attributes.Add(("type", type));
            attributes.Add(("t", _emulator.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        return _emulator.Receipts.OnReceiptAsync(Device, NodeHelpers.Make("receipt", [.. attributes]), cancellationToken);
    }

    private string Plus(string? jid) =>
        Jid.TryParse(jid, out var parsed) && _emulator.Accounts.Find(parsed) is { } account ? "+" + account.PhoneNumber : jid ?? string.Empty;

    /// <summary>An inbox line and what a read receipt for it needs.</summary>
    private sealed class InboxEntry(EmulatedInboxMessage message, Jid replyTo, Jid? participant, bool ownCopy)
    {
        public EmulatedInboxMessage Message { get; } = message;

        public Jid ReplyTo { get; } = replyTo;

        public Jid? Participant { get; } = participant;

        public bool OwnCopy { get; } = ownCopy;

        public bool Read { get; set; }
    }
}
