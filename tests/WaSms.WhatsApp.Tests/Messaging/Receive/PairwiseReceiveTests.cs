using Google.Protobuf;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// 1:1 messages with real ciphertext from a <see cref="RemoteDevice"/> (docs/protocol/messaging.md
/// §2–§4): the first <c>pkmsg</c>, a later <c>msg</c>, a copy of our own send, duplicates, content we
/// do not render and a plaintext that is not a message — each with the exact stanza the client answers.
/// </summary>
public sealed class PairwiseReceiveTests
{
    private static readonly Jid AliceDevice = new("15555550100", JidServer.WhatsApp, 0);
    private static readonly Jid AliceLid = new("5114", JidServer.Lid);

    [Fact]
    public async Task FirstPkmsg_ThenMsg_StoredAsText_LidKeyedSession_PreKeyUsedUp_ThenReceipted()
    {
        await using var session = await ReceiveSession.StartAsync();
        var alice = new RemoteDevice(AliceDevice);
        await alice.StartSessionAsync(session);
        var first = alice.Encrypt(new Message { Conversation = "hello" });
        Assert.Equal("pkmsg", first.Attr("type"));

        await session.SendAsync(ReceiveSession.Message("3EB0FIRST", AliceDevice, [("notify", "Alice"), ("sender_lid", AliceLid)], first));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0FIRST\" to=\"15555550100:0@s.whatsapp.net\"/>");
        var stored = (await session.Events.WaitForAsync<MessageReceived>()).Message;
        Assert.Equal(("text", "hello", "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", "5114@lid", false, "Alice"),
            (stored.Type, stored.Text, stored.Chat, stored.Sender, stored.SenderAlt, stored.FromMe, stored.PushName));
        Assert.Equal(new Message { Conversation = "hello" }.ToByteArray(), stored.Content);
        Assert.Equal(0, await session.PreKeys.CountUploadedAsync(session.Token));
        var lidAddress = new SignalAddress("5114_1", 0);
        Assert.Equal(alice.IdentityKey.ToArray(), await session.Store.LoadIdentityAsync(lidAddress, session.Token));

        await alice.ReceiveReplyAsync(session, lidAddress);
        var second = alice.Encrypt(new Message { ExtendedTextMessage = new ExtendedTextMessage { Text = "see https://example.org" } });
        Assert.Equal("msg", second.Attr("type"));
        await session.SendAsync(ReceiveSession.Message("3EB0SECOND", AliceDevice, [("sender_lid", AliceLid)], second));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0SECOND\" to=\"15555550100:0@s.whatsapp.net\"/>");
        Assert.Equal(["hello", "see https://example.org"], session.Events.All.OfType<MessageReceived>().Select(e => e.Message.Text));
    }

    [Fact]
    public async Task Duplicate_ReceiptedAgain_StoredOnce()
    {
        await using var session = await ReceiveSession.StartAsync();
        var alice = new RemoteDevice(AliceDevice);
        await alice.StartSessionAsync(session);
        var stanza = ReceiveSession.Message("3EB0DUP", AliceDevice, [], alice.Encrypt(new Message { Conversation = "once" }));

        await session.SendAsync(stanza);
        await session.ExpectExactlyAsync("<receipt id=\"3EB0DUP\" to=\"15555550100:0@s.whatsapp.net\"/>");
        await session.SendAsync(stanza);
        await session.ExpectExactlyAsync("<receipt id=\"3EB0DUP\" to=\"15555550100:0@s.whatsapp.net\"/>");

        // The same ciphertext under another id: the message key is used up (a redelivered copy), receipt only.
        await session.SendAsync(ReceiveSession.Message("3EB0DUP2", AliceDevice, [], stanza.Children[0]));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0DUP2\" to=\"15555550100:0@s.whatsapp.net\"/>");
        Assert.Single(session.Events.All.OfType<MessageReceived>());
        Assert.Single(await session.Store.ReadEventsAsync(0, 10, session.Token));
    }

    [Fact]
    public async Task CopyOfOurOwnSend_FromOurPhone_ChatIsTheDestination_SenderReceipt()
    {
        await using var session = await ReceiveSession.StartAsync();
        var phone = new RemoteDevice(new Jid("15550001111", JidServer.WhatsApp, 0));
        await phone.StartSessionAsync(session);
        var copy = new Message
        {
            DeviceSentMessage = new DeviceSentMessage { DestinationJid = "15555550100@s.whatsapp.net", Message = new Message { Conversation = "sent from the phone" } },
        };

        await session.SendAsync(ReceiveSession.Message("3EB0MINE", phone.Jid, [("recipient", new Jid("15555550100", JidServer.WhatsApp))], phone.Encrypt(copy)));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0MINE\" to=\"15550001111:0@s.whatsapp.net\" recipient=\"15555550100@s.whatsapp.net\" type=\"sender\"/>");
        var stored = (await session.Events.WaitForAsync<MessageReceived>()).Message;
        Assert.Equal(("text", "sent from the phone", "15555550100@s.whatsapp.net", "15550001111@s.whatsapp.net", true),
            (stored.Type, stored.Text, stored.Chat, stored.Sender, stored.FromMe));
        Assert.Equal(copy.ToByteArray(), stored.Content);
    }

    [Fact]
    public async Task UnknownContent_StoredWithTypeUnknown_BytesWhole()
    {
        await using var session = await ReceiveSession.StartAsync();
        var alice = new RemoteDevice(AliceDevice);
        await alice.StartSessionAsync(session);

        // Field 100 (botTaskMessage) is not in our WaE2E subset: the bytes must survive as they came.
        byte[] unknown = [0xA2, 0x06, 0x02, 0x0A, 0x00];
        await session.SendAsync(ReceiveSession.Message("3EB0NEW", AliceDevice, [], alice.EncryptRaw(unknown)));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0NEW\" to=\"15555550100:0@s.whatsapp.net\"/>");
        var stored = (await session.Events.WaitForAsync<MessageReceived>()).Message;
        Assert.Equal(("unknown", null), (stored.Type, stored.Text));
        Assert.Equal(unknown, stored.Content);

        await session.SendAsync(ReceiveSession.Message("3EB0IMG", AliceDevice, [], alice.Encrypt(new Message { ImageMessage = new ImageMessage { Caption = "a cat" } })));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0IMG\" to=\"15555550100:0@s.whatsapp.net\"/>");
        var image = session.Events.All.OfType<MessageReceived>().Last().Message;
        Assert.Equal(("image", "a cat"), (image.Type, image.Text));
    }

    [Fact]
    public async Task PlaintextNotAMessage_StoredUndecryptable_Nacked491_SessionKept()
    {
        await using var session = await ReceiveSession.StartAsync();
        var alice = new RemoteDevice(AliceDevice);
        await alice.StartSessionAsync(session);

        await session.SendAsync(ReceiveSession.Message("3EB0BAD", AliceDevice, [], alice.EncryptRaw([0xFF, 0xFF, 0xFF])));
        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0BAD\" to=\"15555550100:0@s.whatsapp.net\" error=\"491\"/>");
        var bad = (await session.Events.WaitForAsync<MessageReceived>()).Message;
        Assert.Equal("undecryptable", bad.Type);
        Assert.Contains("not a waE2E.Message", bad.Error, StringComparison.Ordinal);

        // The ratchet step was committed with it: the next message of that session decrypts.
        await session.SendAsync(ReceiveSession.Message("3EB0GOOD", AliceDevice, [], alice.Encrypt(new Message { Conversation = "fine" })));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0GOOD\" to=\"15555550100:0@s.whatsapp.net\"/>");
        Assert.Equal("fine", session.Events.All.OfType<MessageReceived>().Last().Message.Text);
    }

    [Fact]
    public async Task StoreFails_NoReceipt_LinkGoesOn_RedeliveryStoredOnce()
    {
        await using var session = await ReceiveSession.StartAsync();
        var alice = new RemoteDevice(AliceDevice);
        await alice.StartSessionAsync(session);
        var stanza = ReceiveSession.Message("3EB0DISK", AliceDevice, [], alice.Encrypt(new Message { Conversation = "kept" }));
        session.Messages.FailNextCommits = 1;

        await session.SendAsync(stanza);
        await session.SendAsync(NodeHelpers.Make("receipt", ("from", AliceDevice), ("id", "NEXT"), ("type", "sender")));
        await session.ExpectExactlyAsync("<ack class=\"receipt\" id=\"NEXT\" to=\"15555550100:0@s.whatsapp.net\" type=\"sender\"/>");
        Assert.DoesNotContain(session.Events.All, e => e is MessageReceived);

        // Nothing was committed, so the server's redelivery decrypts with the same session state.
        await session.SendAsync(stanza);
        await session.ExpectExactlyAsync("<receipt id=\"3EB0DISK\" to=\"15555550100:0@s.whatsapp.net\"/>");
        Assert.Equal("kept", (await session.Events.WaitForAsync<MessageReceived>()).Message.Text);
    }
}
