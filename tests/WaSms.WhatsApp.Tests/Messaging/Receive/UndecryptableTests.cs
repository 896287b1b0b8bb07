using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Messaging.Receive;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// Messages the client cannot read (docs/protocol/messaging.md §2, §3, §8): retry receipts up to the
/// bound, then one undecryptable row and a plain receipt, never a loop; unavailable placeholders; no
/// ciphertext at all.
/// </summary>
public sealed class UndecryptableTests
{
    private static readonly Jid Alice = new("15555550100", JidServer.WhatsApp, 0);

    [Fact]
    public async Task UnreadableMessage_RetryReceiptsCount1To4_KeysFrom2_ThenStoredUndecryptableAndReceipted()
    {
        await using var session = await ReceiveSession.StartAsync();
        var junk = Enumerable.Repeat((byte)0x33, 40).ToArray();
        var stanza = ReceiveSession.Message("3EB0RETRY", Alice, [("notify", "Alice")], ReceiveSession.Enc("msg", junk));

        for (var count = 1; count < MessageReceiver.MaxDecryptAttempts; count++)
        {
            await session.SendAsync(stanza);
            var retry = await session.ExpectAsync(n => n.Tag == "receipt");
            Assert.Equal("3EB0RETRY", retry.Attr("id"));
            Assert.Equal("15555550100:0@s.whatsapp.net", retry.Attr("to"));
            Assert.Equal("retry", retry.Attr("type"));
            Assert.Equal([("id", "3EB0RETRY"), ("to", "15555550100:0@s.whatsapp.net"), ("type", "retry")], retry.Attributes.Select(a => (a.Key, a.Value.ToString())));
            Assert.True(retry.TryGetChild("retry", out var retryChild));
            Assert.Equal($"<retry count=\"{count}\" id=\"3EB0RETRY\" t=\"1764633700\" v=\"1\"/>", retryChild.ToString());
            Assert.True(retry.TryGetBytesChild("registration", out var registration));
            Assert.Equal(session.Credentials.RegistrationId, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(registration));
            if (count == 1)
            {
                Assert.Equal(["retry", "registration"], retry.Children.Select(c => c.Tag));
            }
            else
            {
                await AssertKeysAsync(retry, session);
            }

            await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0RETRY\" to=\"15555550100:0@s.whatsapp.net\"/>");
        }

        Assert.DoesNotContain(session.Events.All, e => e is MessageReceived);
        await session.SendAsync(stanza);
        await session.ExpectExactlyAsync("<receipt id=\"3EB0RETRY\" to=\"15555550100:0@s.whatsapp.net\"/>");
        var stored = (await session.Events.WaitForAsync<MessageReceived>()).Message;
        Assert.Equal(("undecryptable", "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", "Alice"), (stored.Type, stored.Chat, stored.Sender, stored.PushName));
        Assert.Null(stored.Content);
        Assert.StartsWith("msg: ", stored.Error, StringComparison.Ordinal);

        // Delivered again (our receipt lost): receipted again, stored once.
        await session.SendAsync(stanza);
        await session.ExpectExactlyAsync("<receipt id=\"3EB0RETRY\" to=\"15555550100:0@s.whatsapp.net\"/>");
        Assert.Single(session.Events.All.OfType<MessageReceived>());
        Assert.Single(await session.Store.ReadEventsAsync(0, 10, session.Token));
    }

    [Fact]
    public async Task GroupMessageWithoutSenderKey_FirstRetryAlreadyCarriesKeys_AndNamesTheParticipant()
    {
        await using var session = await ReceiveSession.StartAsync();
        var group = new Jid("120363000000000001", JidServer.Group);
        // A real skmsg from a member whose sender-key distribution never reached us.
        var member = new RemoteDevice(new Jid("5114", JidServer.Lid, 3));
        var stanza = ReceiveSession.Message("3EB0GROUP", group, [("participant", member.Jid), ("addressing_mode", "lid")],
            member.EncryptGroup(new Proto.E2E.Message { Conversation = "lost" }));
        await session.SendAsync(stanza);

        var retry = await session.ExpectAsync(n => n.Tag == "receipt");
        Assert.Equal([("id", "3EB0GROUP"), ("to", "120363000000000001@g.us"), ("participant", "5114:3@lid"), ("type", "retry")], retry.Attributes.Select(a => (a.Key, a.Value.ToString())));
        await AssertKeysAsync(retry, session);
        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0GROUP\" to=\"120363000000000001@g.us\" participant=\"5114:3@lid\"/>");
    }

    [Fact]
    public async Task Unavailable_StoredAsPlaceholderAndAcked()
    {
        await using var session = await ReceiveSession.StartAsync();
        await session.SendAsync(ReceiveSession.Message("3EB0VIEWONCE", Alice, [], NodeHelpers.Make("unavailable", ("type", "view_once"))));

        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0VIEWONCE\" to=\"15555550100:0@s.whatsapp.net\"/>");
        var stored = (await session.Events.WaitForAsync<MessageReceived>()).Message;
        Assert.Equal(("undecryptable", "unavailable:view_once"), (stored.Type, stored.Error));
    }

    [Fact]
    public async Task NoCiphertext_Nacked488_BadStanza_Nacked487_NewsletterAcked_NothingStored()
    {
        await using var session = await ReceiveSession.StartAsync();
        await session.SendAsync(ReceiveSession.Message("3EB0EMPTY", Alice, []));
        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0EMPTY\" to=\"15555550100:0@s.whatsapp.net\" error=\"488\"/>");

        var group = new Jid("120363000000000001", JidServer.Group);
        await session.SendAsync(ReceiveSession.Message("3EB0NOPART", group, [], ReceiveSession.Enc("skmsg", [1])));
        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"3EB0NOPART\" to=\"120363000000000001@g.us\" error=\"487\"/>");
        await session.SendAsync(ReceiveSession.Message("NEWS1", new Jid("120363000000000099", JidServer.Newsletter), [], NodeHelpers.MakeBytes("plaintext", [], [0x0a, 0x01, 0x41])));
        await session.ExpectExactlyAsync("<ack class=\"message\" id=\"NEWS1\" to=\"120363000000000099@newsletter\"/>");
        Assert.Empty(await session.Store.ReadEventsAsync(0, 10, session.Token));
    }

    /// <summary>The <c>&lt;keys&gt;</c> bundle: our identity, a fresh one-time prekey (now marked uploaded), the signed prekey and our device identity.</summary>
    private static async Task AssertKeysAsync(Node retry, ReceiveSession session)
    {
        Assert.Equal(["retry", "registration", "keys"], retry.Children.Select(c => c.Tag));
        Assert.True(retry.TryGetChild("keys", out var keys));
        Assert.Equal(["type", "identity", "key", "skey", "device-identity"], keys.Children.Select(c => c.Tag));
        Assert.True(keys.TryGetBytesChild("identity", out var identity));
        Assert.Equal(session.Credentials.IdentityKey.PublicKey.ToArray(), identity);
        Assert.True(keys.TryGetChild("key", out var key));
        Assert.True(PreKeyUpload.TryReadKey(key, out var preKeyId, out var preKeyPublic));
        var preKey = await session.PreKeys.GetAsync(preKeyId, session.Token);
        Assert.NotNull(preKey);
        Assert.Equal(preKey.KeyPair.PublicKey.ToArray(), preKeyPublic);
        Assert.True(keys.TryGetChild("skey", out var skey));
        Assert.True(PreKeyUpload.TryReadKey(skey, out var signedId, out _));
        Assert.Equal(session.Credentials.SignedPreKeyId, signedId);
        Assert.True(keys.TryGetBytesChild("device-identity", out var deviceIdentity));
        Assert.Equal(session.Credentials.Account.ToArray(), deviceIdentity);
    }
}
