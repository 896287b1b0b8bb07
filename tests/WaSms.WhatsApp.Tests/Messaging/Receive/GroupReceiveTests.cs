using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// Group messages with real sender keys (docs/protocol/messaging.md §2, §3 steps 1 and 5): the SKDM in
/// a pairwise part is stored before the <c>skmsg</c> part is decrypted, under the participant's LID, so
/// a later message addressed by LID finds it (open question 3, whatsmeow's choice).
/// </summary>
public sealed class GroupReceiveTests
{
    private static readonly Jid Group = new("120363000000000001", JidServer.Group);
    private static readonly Jid BobPhone = new("15555550101", JidServer.WhatsApp, 0);
    private static readonly Jid BobLid = new("5115", JidServer.Lid, 0);

    [Fact]
    public async Task SkdmThenSkmsg_InOneStanza_ThenSkmsgAlone_ByLid_BothStored()
    {
        await using var session = await ReceiveSession.StartAsync();
        var bob = new RemoteDevice(BobPhone);
        await bob.StartSessionAsync(session);

        await session.SendAsync(ReceiveSession.Message("3EB0G1", Group, [("participant", BobPhone), ("participant_lid", BobLid), ("notify", "Bob")],
            bob.SenderKeyDistribution(Group), bob.EncryptGroup(new Message { Conversation = "hi team" })));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0G1\" to=\"120363000000000001@g.us\" participant=\"15555550101:0@s.whatsapp.net\"/>");
        var first = (await session.Events.WaitForAsync<MessageReceived>()).Message;
        Assert.Equal(("text", "hi team", "120363000000000001@g.us", "15555550101@s.whatsapp.net", "5115@lid", "Bob"),
            (first.Type, first.Text, first.Chat, first.Sender, first.SenderAlt, first.PushName));
        Assert.NotNull(await session.Store.LoadSenderKeyAsync(Group.ToString(), new SignalAddress("5115_1", 0), session.Token));

        // The group switched to LID addressing: the same sender key is found under the LID.
        await session.SendAsync(ReceiveSession.Message("3EB0G2", Group, [("participant", BobLid), ("addressing_mode", "lid")],
            bob.EncryptGroup(new Message { ExtendedTextMessage = new ExtendedTextMessage { Text = "again" } })));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0G2\" to=\"120363000000000001@g.us\" participant=\"5115:0@lid\"/>");
        var second = session.Events.All.OfType<MessageReceived>().Last().Message;
        Assert.Equal(("again", "15555550101@s.whatsapp.net"), (second.Text, second.Sender));
    }

    [Fact]
    public async Task SkdmAlone_KeyStored_ReceiptedWithoutARow()
    {
        await using var session = await ReceiveSession.StartAsync();
        var bob = new RemoteDevice(BobLid);
        await bob.StartSessionAsync(session);

        await session.SendAsync(ReceiveSession.Message("3EB0KEY", Group, [("participant", BobLid)], bob.SenderKeyDistribution(Group)));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0KEY\" to=\"120363000000000001@g.us\" participant=\"5115:0@lid\"/>");
        Assert.NotNull(await session.Store.LoadSenderKeyAsync(Group.ToString(), new SignalAddress("5115_1", 0), session.Token));
        Assert.Empty(await session.Store.ReadEventsAsync(0, 10, session.Token));

        await session.SendAsync(ReceiveSession.Message("3EB0AFTER", Group, [("participant", BobLid)], bob.EncryptGroup(new Message { Conversation = "later" })));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0AFTER\" to=\"120363000000000001@g.us\" participant=\"5115:0@lid\"/>");
        Assert.Equal("later", (await session.Events.WaitForAsync<MessageReceived>()).Message.Text);
    }

    [Fact]
    public async Task PairwisePartFails_SkmsgContentStillStored_RetryForTheRest_ResendOnlyReceipted()
    {
        await using var session = await ReceiveSession.StartAsync();
        var bob = new RemoteDevice(BobLid);
        await bob.StartSessionAsync(session);
        await session.SendAsync(ReceiveSession.Message("3EB0K", Group, [("participant", BobLid)], bob.SenderKeyDistribution(Group)));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0K\" to=\"120363000000000001@g.us\" participant=\"5115:0@lid\"/>");

        var content = bob.EncryptGroup(new Message { Conversation = "partly" });
        await session.SendAsync(ReceiveSession.Message("3EB0PART", Group, [("participant", BobLid)], ReceiveSession.Enc("pkmsg", [0x33, 9, 9]), content));
        var retry = await session.ExpectAsync(n => n.Tag == "receipt");
        Assert.Equal(("retry", "5115:0@lid"), (retry.Attr("type"), retry.Attr("participant")));
        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0PART\" to=\"120363000000000001@g.us\" participant=\"5115:0@lid\"/>");
        Assert.Equal("partly", (await session.Events.WaitForAsync<MessageReceived>()).Message.Text);

        await session.SendAsync(ReceiveSession.Message("3EB0PART", Group, [("participant", BobLid)], bob.EncryptGroup(new Message { Conversation = "partly" })));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0PART\" to=\"120363000000000001@g.us\" participant=\"5115:0@lid\"/>");
        Assert.Single(session.Events.All.OfType<MessageReceived>());
    }
}
