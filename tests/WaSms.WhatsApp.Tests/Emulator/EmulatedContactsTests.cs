using Google.Protobuf;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Tests.Emulator;

/// <summary>
/// Emulated contacts really encrypt and decrypt (r1's Signal code on both ends): a contact's text
/// reaches a raw device that decrypts it with its own uploaded keys; the device's answer, encrypted
/// from a bundle it fetched through the emulator, lands in the contact's inbox with a delivery
/// receipt, and reading the inbox sends the read receipt. Contacts talk to each other 1:1 and in a
/// group with sender keys, and the account's own phone takes device-sent copies.
/// </summary>
public sealed class EmulatedContactsTests : IAsyncLifetime
{
    private const string Account = "15550500000";
    private const string Alice = "+15555550100";
    private const string Bob = "+15555550101";
    private readonly WaEmulator _emulator = new();
    private RawDevice _gateway = null!;

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _emulator.Contacts.AddDevDefaults(Account);
        _gateway = await RawDevice.LinkAsync(_emulator, Account);
        await _gateway.UploadPreKeysAsync(10);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task AContactsText_DecryptsOnTheDevice_AndTheAnswerLandsInTheContactsInbox()
    {
        var sessions = new Dictionary<string, SessionRecord>();
        var id = await _emulator.Contacts.SayAsync(Alice, "hello gateway", _gateway.Token);

        var message = await _gateway.WaitForAsync(n => n.Tag == "message" && n.Attr("id") == id);
        Assert.Equal("Alice", message.Attr("notify"));
        var from = message.JidAttr("from")!;
        Assert.Equal(JidServer.Lid, from.Server); // contacts address by LID by default
        Assert.Equal($"{Alice[1..]}@s.whatsapp.net", message.Attr("sender_pn"));
        var enc = Assert.Single(message.Children, c => c.Tag == "enc");
        Assert.Equal("pkmsg", enc.Attr("type"));
        Assert.Equal("hello gateway", Decrypt(sessions, from, enc).Conversation);
        Assert.Equal(9, _gateway.PreKeys.Count); // the contact's session used one of the ten uploaded
        Assert.Equal(9, _emulator.PreKeyCount(_gateway.Jid));

        // The answer: a bundle of Alice's phone fetched through the emulator, then a pkmsg.
        var aliceDevice = new Jid(from.User, JidServer.Lid);
        var answerSession = await SessionFromBundleAsync(aliceDevice);
        var (type, ciphertext) = SessionCipher.Encrypt(answerSession, Identity(), MessagePadding.Pad(new Message { Conversation = "hi Alice" }.ToByteArray()));
        await _gateway.SendAsync(EmulatorRoutingTests.Message("ANSWER1", new Jid(from.User, JidServer.Lid), ("text", null), (aliceDevice, type, ciphertext)));
        Assert.Equal("ANSWER1", (await _gateway.NextAsync("ack")).Attr("id"));

        var delivered = await _gateway.WaitForAsync(n => n.Tag == "receipt" && n.Attr("id") == "ANSWER1");
        Assert.Null(delivered.Attr("type"));
        Assert.Equal(aliceDevice.ToString(), delivered.Attr("from"));
        var inbox = _emulator.Contacts.Inbox(Alice);
        var line = Assert.Single(inbox);
        Assert.Equal(("ANSWER1", "+" + Account, "+" + Account, "hi Alice"), (line.Id, line.Chat, line.From, line.Text));
        var read = await _gateway.WaitForAsync(n => n.Tag == "receipt" && n.Attr("id") == "ANSWER1");
        Assert.Equal("read", read.Attr("type"));
    }

    [Fact]
    public async Task TheAccountsPhone_SendsAHistorySyncNotificationAsAPeerMessage_AndTakesTheHistSyncReceipt()
    {
        var sessions = new Dictionary<string, SessionRecord>();
        var id = await _emulator.SendHistorySyncNotificationAsync(Account, _gateway.Token);

        var message = await _gateway.WaitForAsync(n => n.Tag == "message" && n.Attr("id") == id);
        Assert.Equal("peer", message.Attr("category"));
        var from = message.JidAttr("from")!;
        Assert.Equal((Account, 0u), (from.User, from.Device ?? 0));
        var notification = Decrypt(sessions, from, Assert.Single(message.Children, c => c.Tag == "enc")).ProtocolMessage;
        Assert.Equal(ProtocolMessage.Types.Type.HistorySyncNotification, notification.Type);
        Assert.Equal(HistorySyncNotification.Types.HistorySyncType.InitialBootstrap, notification.HistorySyncNotification.SyncType);

        // What whatsmeow and Baileys answer: the peer receipt, then hist_sync to the own user.
        await _gateway.SendAsync(NodeHelpers.Make("receipt", ("id", id), ("to", from), ("type", "peer_msg")));
        await _gateway.SendAsync(NodeHelpers.Make("receipt", ("id", id), ("type", "hist_sync"), ("to", new Jid(Account, JidServer.WhatsApp))));
        var ack = await _gateway.WaitForAsync(n => n.Tag == "ack" && n.Attr("type") == "hist_sync");
        Assert.Equal(("receipt", id), (ack.Attr("class"), ack.Attr("id")));
        await Testing.Eventually.UntilAsync(() => _emulator.HistorySyncAcknowledged(Account, id), Testing.Eventually.DefaultTimeout, "the phone to take the hist_sync receipt");
    }

    [Fact]
    public async Task ContactsTalkToEachOther_OneToOneAndInTheirGroup_WithRealSessionsAndSenderKeys()
    {
        _emulator.Contacts.AccountNumber = Bob;
        await _emulator.Contacts.SayAsync(Alice, "one to one", _gateway.Token);
        await _emulator.Contacts.GroupSayAsync("Team", Alice, "to the team", _gateway.Token);
        await _emulator.Contacts.GroupSayAsync("Team", Alice, "again", _gateway.Token); // no SKDM the second time

        var team = Assert.Single(_emulator.Contacts.Groups);
        Assert.Equal(["+15555550100", "+15555550101", "+" + Account], team.Members);
        var bobInbox = await WaitForInboxAsync(Bob, 3);
        Assert.Equal([("+15555550100", "one to one"), (team.Jid, "to the team"), (team.Jid, "again")], bobInbox.Select(m => (m.Chat, m.Text)));
        Assert.All(bobInbox, m => Assert.Equal(Alice, m.From));

        // The gateway's device is in the group too: it got the SKDM (pairwise) and the skmsg.
        var first = await _gateway.WaitForAsync(n => n.Tag == "message" && n.Attr("from") == team.Jid);
        Assert.Equal(["pkmsg", "skmsg"], first.Children.Where(c => c.Tag == "enc").Select(c => c.Attr("type")));
        var second = await _gateway.WaitForAsync(n => n.Tag == "message" && n.Attr("from") == team.Jid);
        Assert.Equal(["skmsg"], second.Children.Where(c => c.Tag == "enc").Select(c => c.Attr("type")));
    }

    [Fact]
    public async Task TheAccountsOwnPhone_TakesTheDeviceSentCopy_AndAnswersWithASenderReceipt()
    {
        var phone = new Jid(Account, JidServer.WhatsApp);
        var session = await SessionFromBundleAsync(phone);
        var copy = new Message { DeviceSentMessage = new DeviceSentMessage { DestinationJid = $"{Bob[1..]}@s.whatsapp.net", Message = new Message { Conversation = "from the gateway" } } };
        var (type, ciphertext) = SessionCipher.Encrypt(session, Identity(), MessagePadding.Pad(copy.ToByteArray()));
        await _gateway.SendAsync(EmulatorRoutingTests.Message("DSM1", new Jid(Bob[1..], JidServer.WhatsApp), ("text", null), (phone, type, ciphertext)));

        var receipt = await _gateway.WaitForAsync(n => n.Tag == "receipt" && n.Attr("id") == "DSM1");
        Assert.Equal("sender", receipt.Attr("type"));
        Assert.Equal(phone.ToString(), receipt.Attr("from"));
        Assert.Equal($"{Bob[1..]}@s.whatsapp.net", receipt.Attr("recipient"));
    }

    [Fact]
    public async Task AMessageIdTheContactAlreadyTook_IsReceiptedAgain_NotShownTwice()
    {
        var alice = new Jid(_emulator.LidOf(Alice[1..]), JidServer.Lid);
        var session = await SessionFromBundleAsync(alice);
        foreach (var text in new[] { "once", "once, resent under the same id" })
        {
            // A sender's resend after a lost ack: a new ciphertext (next ratchet step) under the same id.
            var (type, ciphertext) = SessionCipher.Encrypt(session, Identity(), MessagePadding.Pad(new Message { Conversation = text }.ToByteArray()));
            await _gateway.SendAsync(EmulatorRoutingTests.Message("DUP1", alice, ("text", null), (alice, type, ciphertext)));
            var delivered = await _gateway.WaitForAsync(n => n.Tag == "receipt" && n.Attr("id") == "DUP1");
            Assert.Null(delivered.Attr("type"));
        }

        var line = Assert.Single(_emulator.Contacts.Inbox(Alice));
        Assert.Equal(("DUP1", "once"), (line.Id, line.Text));
    }

    [Fact]
    public async Task APhoneThatCannotDecrypt_AsksForRetries_AndResendsForOneDeviceWhenAsked()
    {
        var alice = new Jid(_emulator.LidOf(Alice[1..]), JidServer.Lid);
        await _gateway.SendAsync(EmulatorRoutingTests.Message("BAD1", alice, ("text", null), (alice, "msg", [1, 2, 3])));
        var first = await _gateway.WaitForAsync(n => n.Tag == "receipt" && n.Attr("type") == "retry");
        Assert.True(first.TryGetChild("retry", out var retry));
        Assert.Equal(("1", "BAD1"), (retry.Attr("count"), retry.Attr("id")));
        Assert.False(first.TryGetChild("keys", out _));

        // The resend fails too: the second retry brings a fresh bundle of the phone.
        await _gateway.SendAsync(NodeHelpers.Make("message", [("id", "BAD1"), ("to", alice), ("type", "text"), ("device_fanout", "false")], NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "msg"), ("count", "1")], [4, 5, 6])));
        var second = await _gateway.WaitForAsync(n => n.Tag == "receipt" && n.Attr("type") == "retry");
        Assert.True(second.TryGetChild("retry", out retry));
        Assert.Equal("2", retry.Attr("count"));
        Assert.True(second.TryGetChild("keys", out var keys));
        Assert.True(keys.TryGetChild("key", out _));
        Assert.True(second.TryGetBytesChild("registration", out _));

        // Now the other way: the device asks Alice's phone to resend; it comes for that device only, with count.
        var id = await _emulator.Contacts.SayAsync(Alice, "say again", _gateway.Token);
        var original = await _gateway.WaitForAsync(n => n.Tag == "message" && n.Attr("id") == id);
        await _gateway.SendAsync(NodeHelpers.Make(
            "receipt",
            [("id", id), ("to", original.JidAttr("from")!), ("type", "retry")],
            NodeHelpers.Make("retry", ("count", "1"), ("id", id), ("t", original.Attr("t")!), ("v", "1")),
            NodeHelpers.MakeBytes("registration", [], [0, 0, 0, 1])));
        var resent = await _gateway.WaitForAsync(n => n.Tag == "message" && n.Attr("id") == id);
        var enc = Assert.Single(resent.Children, c => c.Tag == "enc");
        Assert.Equal(("1", "pkmsg"), (enc.Attr("count"), enc.Attr("type")));
        Assert.Equal("say again", Decrypt([], resent.JidAttr("from")!, enc).Conversation);
    }

    /// <summary>A session to <paramref name="device"/> from a bundle fetched through the emulator.</summary>
    private async Task<SessionRecord> SessionFromBundleAsync(Jid device)
    {
        var fetched = await _gateway.IqAsync(NodeHelpers.Make("iq", [("xmlns", "encrypt"), ("type", "get"), ("to", Jid.WhatsAppServer)], NodeHelpers.Make("key", [], NodeHelpers.Make("user", ("jid", device)))));
        Assert.True(fetched.TryGetChild("list", out var list));
        var session = new SessionRecord();
        SessionBuilder.InitFromBundle(session, Identity(), ParseBundle(Assert.Single(list.Children)));
        return session;
    }

    private SignalIdentity Identity() => new(_gateway.Credentials.IdentityKey, _gateway.Credentials.RegistrationId);

    private Message Decrypt(Dictionary<string, SessionRecord> sessions, Jid from, Node enc)
    {
        var key = SignalAddress.FromJid(from).ToString();
        var record = sessions.GetValueOrDefault(key) ?? new SessionRecord();
        var result = SessionCipher.Decrypt(record, Identity(), new RawKeys(_gateway), enc.Attr("type")!, enc.Content.Bytes.Span);
        sessions[key] = record;
        if (result.UsedPreKeyId is { } used)
        {
            _gateway.PreKeys.Remove(used);
        }

        return Message.Parser.ParseFrom(MessagePadding.Unpad(result.Plaintext));
    }

    private async Task<IReadOnlyList<Emulators.WhatsApp.Contacts.EmulatedInboxMessage>> WaitForInboxAsync(string contact, int count)
    {
        // The phone's loop decrypts in the background; poll its inbox a bounded number of times.
        for (var attempt = 0; attempt < 400; attempt++)
        {
            var inbox = _emulator.Contacts.Inbox(contact);
            if (inbox.Count >= count)
            {
                return inbox;
            }

            await Task.Delay(25, _gateway.Token);
        }

        return _emulator.Contacts.Inbox(contact);
    }

    private static PreKeyBundle ParseBundle(Node user)
    {
        static uint Id3(byte[] b) => (uint)(b[0] << 16 | b[1] << 8 | b[2]);
        Assert.True(user.TryGetBytesChild("registration", out var registration));
        Assert.True(user.TryGetBytesChild("identity", out var identity));
        Assert.True(user.TryGetChild("skey", out var skey));
        Assert.True(skey.TryGetBytesChild("id", out var signedId));
        Assert.True(skey.TryGetBytesChild("value", out var signedKey));
        Assert.True(skey.TryGetBytesChild("signature", out var signature));
        uint? preKeyId = null;
        byte[] preKey = [];
        if (user.TryGetChild("key", out var key) && key.TryGetBytesChild("id", out var id) && key.TryGetBytesChild("value", out var value))
        {
            (preKeyId, preKey) = (Id3(id), value);
        }

        return new PreKeyBundle(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(registration), (uint)(user.JidAttr("jid")!.Device ?? 0), identity, Id3(signedId), signedKey, signature, preKeyId, preKey);
    }

    private sealed class RawKeys(RawDevice device) : ILocalPreKeys
    {
        public Curve25519KeyPair? SignedPreKey(uint id) => id == device.Credentials.SignedPreKeyId ? device.Credentials.SignedPreKey : null;

        public Curve25519KeyPair? PreKey(uint id) => device.PreKeys.GetValueOrDefault(id);
    }
}
