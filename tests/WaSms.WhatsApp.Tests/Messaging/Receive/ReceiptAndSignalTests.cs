using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// Inbound receipts (docs/protocol/messaging.md §9), retry receipts handed to the send side (§8), the
/// offline marker and the encrypt/devices notifications (§10), node by node on a scripted server.
/// </summary>
public sealed class ReceiptAndSignalTests
{
    private static readonly Jid AliceDevice = new("15555550100", JidServer.WhatsApp, 0);

    [Fact]
    public async Task Receipts_MoveOurSendForwardOnly_RaiseStatusChanged_AndAreAlwaysAcked()
    {
        await using var session = await ReceiveSession.StartAsync();
        var job = await session.Store.EnqueueOutboundAsync("caller-1", "15555550100@s.whatsapp.net", "hi", session.Token);
        var other = await session.Store.EnqueueOutboundAsync(null, "15555550100@s.whatsapp.net", "there", session.Token);
        await session.Store.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Sent, DateTimeOffset.UnixEpoch, null, session.Token);
        await session.Store.UpdateOutboundStatusAsync(other.MessageId, MessageStatus.Sent, DateTimeOffset.UnixEpoch, null, session.Token);

        // inactive counts as delivered (open question 1).
        await session.SendAsync(NodeHelpers.Make("receipt", ("from", AliceDevice), ("id", job.MessageId), ("t", "1764633800"), ("type", "inactive")));
        await session.ExpectExactlyAsync($"<ack class=\"receipt\" id=\"{job.MessageId}\" to=\"15555550100:0@s.whatsapp.net\" type=\"inactive\"/>");
        var delivered = (await session.Events.WaitForAsync<MessageStatusChanged>()).Change;
        Assert.Equal(new StatusChange(job.MessageId, "caller-1", "15555550100@s.whatsapp.net", MessageStatus.Delivered, DateTimeOffset.FromUnixTimeSeconds(1764633800), null), delivered);

        // A read receipt for both (one in <list>), then a late plain delivery that changes nothing.
        await session.SendAsync(NodeHelpers.Make("receipt", [("from", AliceDevice), ("id", job.MessageId), ("t", "1764633900"), ("type", "read")],
            NodeHelpers.Make("list", [], NodeHelpers.Make("item", ("id", other.MessageId)))));
        await session.ExpectExactlyAsync($"<ack class=\"receipt\" id=\"{job.MessageId}\" to=\"15555550100:0@s.whatsapp.net\" type=\"read\"/>");
        await session.SendAsync(NodeHelpers.Make("receipt", ("from", AliceDevice), ("id", job.MessageId), ("t", "1764634000")));
        await session.ExpectExactlyAsync($"<ack class=\"receipt\" id=\"{job.MessageId}\" to=\"15555550100:0@s.whatsapp.net\"/>");

        var changes = session.Events.All.OfType<MessageStatusChanged>().Select(e => (e.Change.MessageId, e.Change.Status)).ToList();
        Assert.Equal([(job.MessageId, MessageStatus.Delivered), (job.MessageId, MessageStatus.Read), (other.MessageId, MessageStatus.Read)], changes);
        Assert.Equal(MessageStatus.Read, (await session.Store.GetOutboundAsync(job.MessageId, session.Token))!.Status);
    }

    [Fact]
    public async Task StatusNotStored_ReceiptNotAcked_RedeliveryMovesIt()
    {
        await using var session = await ReceiveSession.StartAsync();
        var job = await session.Store.EnqueueOutboundAsync(null, "15555550100@s.whatsapp.net", "hi", session.Token);
        await session.Store.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Sent, DateTimeOffset.UnixEpoch, null, session.Token);
        var receipt = NodeHelpers.Make("receipt", ("from", AliceDevice), ("id", job.MessageId), ("t", "1764633800"));
        session.Messages.FailNextStatusUpdates = 1;

        await session.SendAsync(receipt);
        await session.SendAsync(NodeHelpers.Make("receipt", ("from", AliceDevice), ("id", "NEXT"), ("type", "sender")));
        await session.ExpectExactlyAsync("<ack class=\"receipt\" id=\"NEXT\" to=\"15555550100:0@s.whatsapp.net\" type=\"sender\"/>");
        Assert.Equal(MessageStatus.Sent, (await session.Store.GetOutboundAsync(job.MessageId, session.Token))!.Status);

        // Not acked, so the server delivers it again; this time the status is stored and the receipt acked.
        await session.SendAsync(receipt);
        await session.ExpectExactlyAsync($"<ack class=\"receipt\" id=\"{job.MessageId}\" to=\"15555550100:0@s.whatsapp.net\"/>");
        Assert.Equal(MessageStatus.Delivered, (await session.Events.WaitForAsync<MessageStatusChanged>()).Change.Status);
    }

    [Fact]
    public async Task GroupSend_MovesAtItsFirstParticipantsReceipt_SingleOrGroupedForm_LaterParticipantsChangeNothing()
    {
        await using var session = await ReceiveSession.StartAsync();
        var group = new Jid("120363000000000001", JidServer.Group);
        var first = await session.Store.EnqueueOutboundAsync("g-1", group.ToString(), "hello team", session.Token);
        var second = await session.Store.EnqueueOutboundAsync("g-2", group.ToString(), "again", session.Token);
        foreach (var job in (OutboundMessage[])[first, second])
        {
            await session.Store.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Sent, DateTimeOffset.UnixEpoch, null, session.Token);
        }

        // One participant's delivery receipt (participant attribute): the send is delivered.
        await session.SendAsync(NodeHelpers.Make("receipt", ("from", group), ("id", first.MessageId), ("participant", new Jid("5114", JidServer.Lid, 0)), ("t", "1764633800")));
        await session.ExpectAsync(n => n.Tag == "ack" && n.Attr("id") == first.MessageId);
        // A second participant's changes nothing.
        await session.SendAsync(NodeHelpers.Make("receipt", ("from", group), ("id", first.MessageId), ("participant", new Jid("5115", JidServer.Lid, 0)), ("t", "1764633810")));
        await session.ExpectAsync(n => n.Tag == "ack" && n.Attr("id") == first.MessageId);

        // The grouped form (whatsmeow handleGroupedReceipt): no participant, one <participants key> per message,
        // one <user jid t> per reader; the earliest reader's time counts.
        await session.SendAsync(NodeHelpers.Make("receipt", [("from", group), ("id", "grouped-1"), ("type", "read"), ("t", "1764633999")],
            NodeHelpers.Make("participants", [("key", first.MessageId)],
                NodeHelpers.Make("user", ("jid", new Jid("5115", JidServer.Lid)), ("t", "1764633950")),
                NodeHelpers.Make("user", ("jid", new Jid("5114", JidServer.Lid)), ("t", "1764633900"))),
            NodeHelpers.Make("participants", [("key", second.MessageId)],
                NodeHelpers.Make("user", ("jid", new Jid("5114", JidServer.Lid)), ("t", "1764633920")))));
        await session.ExpectAsync(n => n.Tag == "ack" && n.Attr("id") == "grouped-1");

        var changes = session.Events.All.OfType<MessageStatusChanged>().Select(e => (e.Change.CallerId, e.Change.Chat, e.Change.Status, e.Change.At.ToUnixTimeSeconds())).ToList();
        Assert.Equal([("g-1", group.ToString(), MessageStatus.Delivered, 1764633800L), ("g-1", group.ToString(), MessageStatus.Read, 1764633900L), ("g-2", group.ToString(), MessageStatus.Read, 1764633920L)], changes);
    }

    [Fact]
    public async Task GroupReceiptFromParticipant_AckedWithParticipant_UnknownIdIgnored()
    {
        await using var session = await ReceiveSession.StartAsync();
        await session.SendAsync(NodeHelpers.Make("receipt", ("from", new Jid("120363000000000001", JidServer.Group)), ("id", "3EB0NOTOURS"), ("participant", new Jid("5114", JidServer.Lid, 0)), ("participant_pn", new Jid("15555550101", JidServer.WhatsApp)), ("t", "1764633800")));
        await session.ExpectExactlyAsync("<ack class=\"receipt\" id=\"3EB0NOTOURS\" to=\"120363000000000001@g.us\" participant=\"5114:0@lid\"/>");
        Assert.DoesNotContain(session.Events.All, e => e is MessageStatusChanged);
        Assert.Equal("15555550101", await session.Signal.GetPhoneUserAsync("5114", session.Token));
    }

    [Fact]
    public async Task RetryReceipt_ParsedWithBundle_RaisedAndHandedToSendSide_ThenAcked()
    {
        await using var session = await ReceiveSession.StartAsync();
        var remote = WaCredentials.Generate();
        var preKey = WhatsApp.Crypto.Curve25519KeyPair.Generate();
        var keys = NodeHelpers.Make(
            "keys",
            [],
            NodeHelpers.MakeBytes("type", [], [5]),
            NodeHelpers.MakeBytes("identity", [], remote.IdentityKey.PublicKey.Span),
            PreKeyUpload.KeyNode("key", 77, preKey.PublicKey.Span),
            PreKeyUpload.KeyNode("skey", remote.SignedPreKeyId, remote.SignedPreKey.PublicKey.Span, remote.SignedPreKeySignature.Span),
            NodeHelpers.MakeBytes("device-identity", [], [1, 2, 3]));
        var device = new Jid("15555550100", JidServer.WhatsApp, 4);
        await session.SendAsync(NodeHelpers.Make(
            "receipt",
            [("from", device), ("id", "3EB0SENT"), ("t", "1764633800"), ("type", "retry")],
            NodeHelpers.Make("retry", ("count", "2"), ("id", "3EB0SENT"), ("t", "1764633700"), ("v", "1")),
            NodeHelpers.MakeBytes("registration", [], [0, 0, 0x30, 0x39]),
            keys));

        await session.ExpectExactlyAsync("<ack class=\"receipt\" id=\"3EB0SENT\" to=\"15555550100:4@s.whatsapp.net\" type=\"retry\"/>");
        var retry = await session.Events.WaitForAsync<RetryReceiptReceived>();
        Assert.Equal(("3EB0SENT", device, 2, 12345u, DateTimeOffset.FromUnixTimeSeconds(1764633700)), (retry.MessageId, retry.Device, retry.Count, retry.RegistrationId, retry.Timestamp!.Value));
        var bundle = retry.Bundle!;
        Assert.Equal((12345u, 4u, remote.SignedPreKeyId, 77u), (bundle.RegistrationId, bundle.DeviceId, bundle.SignedPreKeyId, bundle.PreKeyId!.Value));
        Assert.Equal(remote.IdentityKey.PublicKey.ToArray(), bundle.IdentityKey.ToArray());
        Assert.Equal(preKey.PublicKey.ToArray(), bundle.PreKey.ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, retry.DeviceIdentity.ToArray());
        Assert.DoesNotContain(session.Events.All, e => e is MessageStatusChanged);
    }

    [Fact]
    public async Task OfflineMarker_RaisedAfterEveryEarlierStanzaWasHandled_PreviewAnsweredWithBatch()
    {
        await using var session = await ReceiveSession.StartAsync();
        await session.SendAsync(NodeHelpers.Make("ib", [], NodeHelpers.Make("offline_preview", ("count", "3"), ("message", "2"), ("notification", "0"), ("receipt", "1"))));
        await session.ExpectExactlyAsync("<ib><offline_batch count=\"100\"/></ib>");
        foreach (var id in new[] { "3EB0OFF1", "3EB0OFF2" })
        {
            await session.SendAsync(ReceiveSession.Message(id, AliceDevice, [("offline", "1")], NodeHelpers.Make("unavailable", ("type", "view_once"))));
        }

        await session.SendAsync(NodeHelpers.Make("ib", [], NodeHelpers.Make("offline", ("count", "3"))));
        Assert.Equal(3, (await session.Events.WaitForAsync<OfflineSyncCompleted>()).Count);
        var order = session.Events.All.Where(e => e is MessageReceived or OfflineSyncCompleted).ToList();
        Assert.Equal(["3EB0OFF1", "3EB0OFF2", null], order.Select(e => (e as MessageReceived)?.Message.Id));
        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0OFF1\" to=\"15555550100:0@s.whatsapp.net\"/>");
        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0OFF2\" to=\"15555550100:0@s.whatsapp.net\"/>");
    }

    [Fact]
    public async Task IdentityChange_DeletesEverySessionOfThatUser_UnderBothNames()
    {
        await using var session = await ReceiveSession.StartAsync();
        var seed = new SignalChanges();
        seed.LidMappings["5114"] = "15555550100";
        seed.Sessions[new SignalAddress("5114_1", 0)] = [1];
        seed.Sessions[new SignalAddress("5114_1", 7)] = [2];
        seed.Sessions[new SignalAddress("15555550100", 3)] = [3];
        seed.Sessions[new SignalAddress("15555550101", 0)] = [4];
        await session.Signal.CommitAsync(seed, session.Token);

        await session.SendAsync(NodeHelpers.Make("notification", [("from", new Jid("15555550100", JidServer.WhatsApp)), ("id", "N1"), ("t", "1764633800"), ("type", "encrypt")], NodeHelpers.Make("identity")));
        await session.ExpectExactlyAsync("<ack class=\"notification\" id=\"N1\" to=\"15555550100@s.whatsapp.net\" type=\"encrypt\"/>");
        await BarrierAsync(session);

        var left = await session.Signal.LoadSessionsAsync([new("5114_1", 0), new("5114_1", 7), new("15555550100", 3), new("15555550101", 0)], session.Token);
        Assert.Equal([new SignalAddress("15555550101", 0)], left.Keys);
    }

    [Fact]
    public async Task DevicesNotification_RaisesDevicesChanged_StoresLidPair_DropsRemovedSessions()
    {
        await using var session = await ReceiveSession.StartAsync();
        var seed = new SignalChanges();
        seed.Sessions[new SignalAddress("5114_1", 5)] = [1];
        await session.Signal.CommitAsync(seed, session.Token);
        var user = new Jid("15555550100", JidServer.WhatsApp);
        await session.SendAsync(NodeHelpers.Make(
            "notification",
            [("from", user), ("id", "N2"), ("lid", new Jid("5114", JidServer.Lid)), ("t", "1764633800"), ("type", "devices")],
            NodeHelpers.Make("remove", [("device_hash", "2:abc")], NodeHelpers.Make("device", ("jid", new Jid("15555550100", JidServer.WhatsApp, 5)), ("lid", new Jid("5114", JidServer.Lid, 5))))));

        await session.ExpectExactlyAsync("<ack class=\"notification\" id=\"N2\" to=\"15555550100@s.whatsapp.net\" type=\"devices\"/>");
        await BarrierAsync(session);
        var changed = await session.Events.WaitForAsync<DevicesChanged>();
        Assert.Equal(new DevicesChanged(user, new Jid("5114", JidServer.Lid)), changed);
        Assert.Equal("5114", await session.Signal.GetLidUserAsync("15555550100", session.Token));
        Assert.Empty(await session.Signal.LoadSessionsAsync([new SignalAddress("5114_1", 5)], session.Token));
    }

    [Fact]
    public void Options_OneMessagingStoreWithoutTheOther_Refused()
    {
        var signal = new InMemorySignalStore(new InMemoryPreKeyStore());
        var messages = new InMemoryMessageStore(signal, TimeProvider.System);
        var credentials = new InMemoryCredentialStore();
        Assert.Throws<ArgumentException>(() => new WaClient(new WaClientOptions { SignalStore = signal }, credentials));
        Assert.Throws<ArgumentException>(() => new WaClient(new WaClientOptions { MessageStore = messages }, credentials));
        Assert.NotNull(new WaClient(new WaClientOptions { SignalStore = signal, MessageStore = messages }, credentials));
    }

    /// <summary>
    /// A notification is acked before it is handled; the handlers run one at a time in arrival order,
    /// so once a later stanza is acked the notification's handling is complete.
    /// </summary>
    private static async Task BarrierAsync(ReceiveSession session)
    {
        await session.SendAsync(NodeHelpers.Make("receipt", ("from", AliceDevice), ("id", "BARRIER"), ("type", "sender")));
        await session.ExpectExactlyAsync("<ack class=\"receipt\" id=\"BARRIER\" to=\"15555550100:0@s.whatsapp.net\" type=\"sender\"/>");
    }
}
