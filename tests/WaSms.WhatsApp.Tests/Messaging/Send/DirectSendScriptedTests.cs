using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Signal;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>
/// 1:1 sends node by node on a scripted server (docs/protocol/messaging.md §1, §5, §6): the usync and
/// prekey queries, the exact <c>&lt;message&gt;</c>, every ciphertext read back by the device it was for
/// (r1's Signal code as the recipient), and the job's state from the server's ack.
/// </summary>
public sealed class DirectSendScriptedTests
{
    private static readonly Jid AlicePn = new("15550002222", JidServer.WhatsApp);
    private static readonly Jid AliceLid = new("777001", JidServer.Lid);
    private static readonly Jid AlicePhone = AliceLid;
    private static readonly Jid AliceLaptop = new("777001", JidServer.Lid, 3);
    private static readonly Jid OwnPhone = new("99887766", JidServer.Lid);
    private static readonly Jid OwnTablet = new("99887766", JidServer.Lid, 5);

    [Fact]
    public async Task ToPhoneNumber_SentToItsLid_EveryDeviceReadsIt_OwnDevicesGetTheDeviceSentCopy_AckMakesItSent()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();
        var devices = new Devices();

        var message = await FirstSendAsync(harness, devices);

        Assert.Equal(
            $"<message id=\"{job.MessageId}\" to=\"777001@lid\" type=\"text\" peer_recipient_pn=\"15550002222@s.whatsapp.net\">",
            message.ToString()[..message.ToString().IndexOf("<participants>", StringComparison.Ordinal)]);
        Assert.Equal(["participants", "device-identity"], message.Children.Select(c => c.Tag));
        Assert.Equal(SendHarness.DeviceIdentity, message.Children[1].Content.Bytes.ToArray());
        Assert.Equal(
            [AlicePhone.ToString(), AliceLaptop.ToString(), OwnPhone.ToString(), OwnTablet.ToString()],
            message.Children[0].Children.Select(t => t.Attr("jid")));
        foreach (var (device, party) in devices.Alice)
        {
            var enc = SendHarness.EncFor(message, device);
            Assert.Equal("pkmsg", enc.Attr("type"));
            Assert.Equal("hello", SendHarness.Decrypt(party, enc).Conversation);
        }

        foreach (var (device, party) in devices.Own)
        {
            var copy = SendHarness.Decrypt(party, SendHarness.EncFor(message, device)).DeviceSentMessage;
            Assert.Equal("777001@lid", copy.DestinationJid);
            Assert.Equal("hello", copy.Message.Conversation);
        }

        await harness.AckAsync(message);
        var sent = await harness.StatusAsync(job.MessageId, MessageStatus.Sent);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764633700), sent.Change.At);
        Assert.Equal(MessageStatus.Sent, (await harness.Store.GetOutboundAsync(job.MessageId, harness.Token))!.Status);
        Assert.Equal("15550002222", await harness.Signal.GetPhoneUserAsync("777001", harness.Token));
    }

    [Fact]
    public async Task SecondSend_UsesCachedDevicesAndSessions_AckErrorMakesItFailed()
    {
        await using var harness = SendHarness.Create();
        var first = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();
        var devices = new Devices();
        await harness.AckAsync(await FirstSendAsync(harness, devices));
        await harness.StatusAsync(first.MessageId, MessageStatus.Sent);

        var second = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "again", harness.Token);
        harness.Client.WakeOutbox();
        var message = await harness.ExpectMessageAsync();

        // No usync or prekey query came before it (the script is strict); the sessions still wait for
        // Alice's first answer, so they stay pkmsg and the stanza keeps our device identity.
        Assert.Equal(second.MessageId, message.Attr("id"));
        Assert.Equal(["participants", "device-identity"], message.Children.Select(c => c.Tag));
        var (laptop, party) = devices.Alice[1];
        Assert.Equal("again", SendHarness.Decrypt(party, SendHarness.EncFor(message, laptop)).Conversation);
        await harness.AckAsync(message, error: "479");
        var failed = await harness.StatusAsync(second.MessageId, MessageStatus.Failed);
        Assert.Equal("server error 479", failed.Change.Reason);
    }

    [Fact]
    public async Task DevicesNotification_DropsTheCachedList_NextSendAsksAgainAndReachesTheNewDevice()
    {
        await using var harness = SendHarness.Create();
        var first = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();
        await harness.AckAsync(await FirstSendAsync(harness, new Devices()));
        await harness.StatusAsync(first.MessageId, MessageStatus.Sent);

        var tablet = new Jid(AliceLid.User, JidServer.Lid, 4);
        await harness.Connection.SendAsync(NodeHelpers.Make("notification", [("from", AliceLid), ("id", "n-1"), ("type", "devices"), ("t", "1764633800")],
            NodeHelpers.Make("add", [("device_hash", "2:abcdefgh")], NodeHelpers.Make("device", ("jid", tablet)))), harness.Token);
        Assert.Equal("n-1", (await harness.Connection.ExpectAsync(n => n.Tag == "ack", harness.Token)).Attr("id"));

        // Handlers run one at a time on the receive loop and the ack goes out before the cache is
        // dropped: the ack of a second notification means the first one was handled to the end.
        await harness.Connection.SendAsync(NodeHelpers.Make("notification", ("from", AliceLid), ("id", "n-2"), ("type", "picture")), harness.Token);
        Assert.Equal("n-2", (await harness.Connection.ExpectAsync(n => n.Tag == "ack", harness.Token)).Attr("id"));
        await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "new device?", harness.Token);
        harness.Client.WakeOutbox();

        // Only Alice's list was dropped; ours is still cached.
        var usync = await harness.ExpectIqAsync("usync", "get");
        Assert.Equal(["777001@lid"], SendHarness.UsyncUsers(usync));
        await harness.Connection.ReplyAsync(usync, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(AliceLid, [0, 3, 4])));
        var keys = await harness.ExpectIqAsync("encrypt", "get");
        Assert.Equal(["777001:4@lid"], SendHarness.KeyUsers(keys));
        var party = new SignalParty();
        await harness.Connection.ReplyAsync(keys, harness.Token, SendHarness.BundleList((tablet, party)));
        var message = await harness.ExpectMessageAsync();
        Assert.Equal("new device?", SendHarness.Decrypt(party, SendHarness.EncFor(message, tablet)).Conversation);
    }

    [Fact]
    public async Task UsyncAnsweringByLidOnly_TheLidIsUsed_WithoutAskingAgain()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();

        var byNumber = await harness.ExpectIqAsync("usync", "get");
        await harness.Connection.ReplyAsync(byNumber, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(AliceLid, [0])));

        // Alice's list came with the answer; only ours is asked for.
        var own = await harness.ExpectIqAsync("usync", "get");
        Assert.Equal(["99887766@lid"], SendHarness.UsyncUsers(own));
        await harness.Connection.ReplyAsync(own, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(new Jid("99887766", JidServer.Lid), [0, 2])));
        var alice = new SignalParty();
        var phone = new SignalParty();
        var keys = await harness.ExpectIqAsync("encrypt", "get");
        await harness.Connection.ReplyAsync(keys, harness.Token, SendHarness.BundleList((AlicePhone, alice), (OwnPhone, phone)));
        var message = await harness.ExpectMessageAsync();

        Assert.Equal(("777001@lid", "15550002222@s.whatsapp.net", job.MessageId), (message.Attr("to"), message.Attr("peer_recipient_pn"), message.Attr("id")));
        Assert.Equal("hello", SendHarness.Decrypt(alice, SendHarness.EncFor(message, AlicePhone)).Conversation);
    }

    [Fact]
    public async Task NumberNotOnWhatsApp_Fails_WithoutAMessage()
    {
        await using var harness = SendHarness.Create();
        var nobody = new Jid("15550009999", JidServer.WhatsApp);
        var job = await harness.Store.EnqueueOutboundAsync(null, nobody.ToString(), "hello?", harness.Token);
        await harness.ConnectAsync();

        var usync = await harness.ExpectIqAsync("usync", "get");
        await harness.Connection.ReplyAsync(usync, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(nobody, [])));

        var failed = await harness.StatusAsync(job.MessageId, MessageStatus.Failed);
        Assert.Equal("not-on-whatsapp", failed.Change.Reason);
        Assert.Equal(0, (await harness.Store.GetOutboundAsync(job.MessageId, harness.Token))!.Attempts);
    }

    /// <summary>usync by PN (learns the LID), usync of both LID users, the prekeys by LID, then the message.</summary>
    internal static async Task<Node> FirstSendAsync(SendHarness harness, Devices devices)
    {
        var byNumber = await harness.ExpectIqAsync("usync", "get");
        Assert.Equal([AlicePn.ToString()], SendHarness.UsyncUsers(byNumber));
        Assert.Equal("<query><devices version=\"2\"/><lid/></query>", byNumber.Children[0].Children[0].ToString());
        await harness.Connection.ReplyAsync(byNumber, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(AlicePn, [0, 3], AliceLid)));

        var byLid = await harness.ExpectIqAsync("usync", "get");
        Assert.Equal(["777001@lid", "99887766@lid"], SendHarness.UsyncUsers(byLid));
        await harness.Connection.ReplyAsync(byLid, harness.Token, SendHarness.UsyncAnswer(
            SendHarness.UsyncUser(AliceLid, [0, 3]), SendHarness.UsyncUser(new Jid("99887766", JidServer.Lid), [0, 2, 5])));

        var keys = await harness.ExpectIqAsync("encrypt", "get");
        Assert.Equal(["777001@lid", "777001:3@lid", "99887766@lid", "99887766:5@lid"], SendHarness.KeyUsers(keys));
        await harness.Connection.ReplyAsync(keys, harness.Token, SendHarness.BundleList([.. devices.Alice, .. devices.Own]));
        return await harness.ExpectMessageAsync();
    }

    /// <summary>Alice's phone and laptop, our phone and tablet, each a Signal party.</summary>
    internal sealed class Devices
    {
        public List<(Jid, SignalParty)> Alice { get; } = [(AlicePhone, new SignalParty()), (AliceLaptop, new SignalParty())];

        public List<(Jid, SignalParty)> Own { get; } = [(OwnPhone, new SignalParty()), (OwnTablet, new SignalParty())];
    }
}
