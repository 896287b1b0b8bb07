using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Proto.E2E;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// Our phone's history-sync notification (docs/protocol/messaging.md §10b): the peer receipt, then the
/// <c>hist_sync</c> receipt to our own user as whatsmeow and Baileys send it; the blob is not fetched.
/// </summary>
public sealed class HistorySyncNotificationTests
{
    private static readonly Message Notification = new()
    {
        ProtocolMessage = new ProtocolMessage
        {
            Type = ProtocolMessage.Types.Type.HistorySyncNotification,
            HistorySyncNotification = new HistorySyncNotification { SyncType = HistorySyncNotification.Types.HistorySyncType.InitialBootstrap, DirectPath = "/v/t62/hist" },
        },
    };

    [Fact]
    public async Task FromOurPhone_PeerReceiptThenHistSyncReceiptToOurOwnUser()
    {
        await using var session = await ReceiveSession.StartAsync();
        var phone = new RemoteDevice(new Jid("15550001111", JidServer.WhatsApp, 0));
        await phone.StartSessionAsync(session);

        await session.SendAsync(ReceiveSession.Message("3EB0HIST", phone.Jid, [("category", "peer")], phone.Encrypt(Notification)));

        await session.ExpectExactlyAsync("<receipt id=\"3EB0HIST\" to=\"15550001111:0@s.whatsapp.net\" type=\"peer_msg\"/>");
        await session.ExpectExactlyAsync("<receipt id=\"3EB0HIST\" type=\"hist_sync\" to=\"15550001111@s.whatsapp.net\"/>");
        var stored = (await session.Events.WaitForAsync<MessageReceived>()).Message;
        Assert.Equal(("protocol", true), (stored.Type, stored.FromMe));
    }

    [Fact]
    public async Task FromSomeoneElse_OnlyTheDeliveryReceipt()
    {
        await using var session = await ReceiveSession.StartAsync();
        var alice = new RemoteDevice(new Jid("15555550100", JidServer.WhatsApp, 0));
        await alice.StartSessionAsync(session);

        await session.SendAsync(ReceiveSession.Message("3EB0FAKE", alice.Jid, [], alice.Encrypt(Notification)));
        await session.ExpectExactlyAsync("<receipt id=\"3EB0FAKE\" to=\"15555550100:0@s.whatsapp.net\"/>");
        await session.SendAsync(ReceiveSession.Message("3EB0NEXT", alice.Jid, [], alice.Encrypt(new Message { Conversation = "next" })));

        // The next thing the client writes answers the next message: no hist_sync receipt went out in between.
        await session.ExpectExactlyAsync("<receipt id=\"3EB0NEXT\" to=\"15555550100:0@s.whatsapp.net\"/>");
    }
}
