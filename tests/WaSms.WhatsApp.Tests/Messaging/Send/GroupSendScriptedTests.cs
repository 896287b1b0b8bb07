using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Signal;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>
/// Group sends on a scripted server (docs/protocol/messaging.md §6.4, §11): metadata, member devices, the
/// sender-key distribution pairwise only to devices without our key, the <c>skmsg</c> body — each member
/// device (r1's Signal code) processes the distribution and reads the body.
/// </summary>
public sealed class GroupSendScriptedTests
{
    private static readonly Jid Group = new("120363001", JidServer.Group);
    private static readonly Jid Alice = new("777001", JidServer.Lid);
    private static readonly Jid Bob = new("777002", JidServer.Lid);
    private static readonly Jid Own = new("99887766", JidServer.Lid);

    [Fact]
    public async Task FirstSend_DistributesOurSenderKeyToEveryOtherDevice_SecondSendIsTheBodyAlone()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync(null, Group.ToString(), "hi team", harness.Token);
        await harness.ConnectAsync();
        var members = Members();

        var message = await FirstSendAsync(harness, members);
        var phash = ParticipantHash.V2([.. members.Select(m => m.Device), SendHarness.OwnLid]);
        Assert.Equal($"<message id=\"{job.MessageId}\" to=\"120363001@g.us\" type=\"text\" addressing_mode=\"lid\" phash=\"{phash}\">", Head(message));
        Assert.Equal(["participants", "device-identity", "enc"], message.Children.Select(c => c.Tag));
        Assert.Equal(("2", "skmsg"), (message.Children[2].Attr("v"), message.Children[2].Attr("type")));
        foreach (var member in members)
        {
            var distribution = SendHarness.Decrypt(member.Party, SendHarness.EncFor(message, member.Device)).SenderKeyDistributionMessage;
            Assert.Equal("120363001@g.us", distribution.GroupId);
            GroupSessionBuilder.Process(member.SenderKey, distribution.AxolotlSenderKeyDistributionMessage.Span);
            Assert.Equal("hi team", ReadBody(member, message));
        }

        await harness.AckAsync(message);
        await harness.StatusAsync(job.MessageId, MessageStatus.Sent);

        var second = await harness.Store.EnqueueOutboundAsync(null, Group.ToString(), "still here", harness.Token);
        harness.Client.WakeOutbox();
        var body = await harness.ExpectMessageAsync();
        Assert.Equal(second.MessageId, body.Attr("id"));
        Assert.Equal(["enc"], body.Children.Select(c => c.Tag));
        Assert.All(members, m => Assert.Equal("still here", ReadBody(m, body)));
    }

    [Fact]
    public async Task GroupWeAreNotIn_Fails()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync(null, Group.ToString(), "hello?", harness.Token);
        await harness.ConnectAsync();

        await harness.Connection.ReplyErrorAsync(await harness.ExpectIqAsync("w:g2", "get"), 403, "forbidden", harness.Token);

        Assert.Equal("not-a-group-member", (await harness.StatusAsync(job.MessageId, MessageStatus.Failed)).Change.Reason);
    }

    /// <summary>Metadata, devices and prekeys answered for <paramref name="members"/>; returns the message.</summary>
    private static async Task<Node> FirstSendAsync(SendHarness harness, Member[] members)
    {
        var metadata = await harness.ExpectIqAsync("w:g2", "get");
        Assert.Equal(("120363001@g.us", "<query request=\"interactive\"/>"), (metadata.Attr("to"), metadata.Children.Single().ToString()));
        await harness.Connection.ReplyAsync(metadata, harness.Token, NodeHelpers.Make("group", [("id", Group.User), ("subject", "Team"), ("addressing_mode", "lid")],
            NodeHelpers.Make("participant", ("jid", Alice), ("phone_number", new Jid("15550002222", JidServer.WhatsApp))),
            NodeHelpers.Make("participant", ("jid", Own), ("phone_number", new Jid("15550001111", JidServer.WhatsApp))),
            NodeHelpers.Make("participant", ("jid", Bob))));
        var usync = await harness.ExpectIqAsync("usync", "get");
        Assert.Equal(["777001@lid", "99887766@lid", "777002@lid"], SendHarness.UsyncUsers(usync));
        await harness.Connection.ReplyAsync(usync, harness.Token, SendHarness.UsyncAnswer(
            SendHarness.UsyncUser(Alice, [0, 3]), SendHarness.UsyncUser(Own, [0, 2]), SendHarness.UsyncUser(Bob, [0])));
        var keys = await harness.ExpectIqAsync("encrypt", "get");
        Assert.Equal(["777001@lid", "777001:3@lid", "99887766@lid", "777002@lid"], SendHarness.KeyUsers(keys));
        await harness.Connection.ReplyAsync(keys, harness.Token, SendHarness.BundleList([.. members.Select(m => (m.Device, m.Party))]));

        return await harness.ExpectMessageAsync();
    }

    private static Member[] Members() =>
    [
        new(Alice, new SignalParty()), new(new Jid(Alice.User, JidServer.Lid, 3), new SignalParty()),
        new(Bob, new SignalParty()), new(Own, new SignalParty()),
    ];

    [Fact]
    public async Task RetryReceiptFromAMember_ResendsTheTextWithOurSenderKey_ToThatDeviceOnly()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync(null, Group.ToString(), "hi team", harness.Token);
        await harness.ConnectAsync();
        var members = Members();
        var message = await FirstSendAsync(harness, members);
        await harness.AckAsync(message);
        await harness.StatusAsync(job.MessageId, MessageStatus.Sent);

        var laptop = members[1].Device;
        var reinstalled = new SignalParty();
        var receipt = RetryAndReconnectScriptedTests.RetryReceipt(job.MessageId, 2, reinstalled);
        await harness.Connection.SendAsync(
            new Node("receipt", [new("from", Group), new("participant", laptop), .. receipt.Attributes.Where(a => a.Key is not "from")], receipt.Children),
            harness.Token);
        var (resend, _) = await RetryAndReconnectScriptedTests.ResendAndAckAsync(harness);

        Assert.Equal($"<message id=\"{job.MessageId}\" to=\"120363001@g.us\" type=\"text\" t=\"1764633650\" participant=\"777001:3@lid\">", Head(resend));
        var enc = resend.Children[0];
        Assert.Equal("2", enc.Attr("count"));
        var again = SendHarness.Decrypt(reinstalled, enc);
        Assert.Equal("hi team", again.Conversation);
        var senderKey = new SenderKeyRecord();
        GroupSessionBuilder.Process(senderKey, again.SenderKeyDistributionMessage.AxolotlSenderKeyDistributionMessage.Span);

        // The distribution is of our key as it is now (past the first message, which the text above
        // replaced): the reinstalled laptop reads the next body with it.
        await harness.Store.EnqueueOutboundAsync(null, Group.ToString(), "welcome back", harness.Token);
        harness.Client.WakeOutbox();
        Assert.Equal("welcome back", ReadBody(new Member(laptop, reinstalled), await harness.ExpectMessageAsync(), senderKey));
    }

    private static string ReadBody(Member member, Node message) => ReadBody(member, message, member.SenderKey);

    private static string ReadBody(Member member, Node message, SenderKeyRecord senderKey)
    {
        var skmsg = message.Children.Single(c => c.Tag == "enc" && c.Attr("type") == "skmsg");
        var padded = GroupCipher.Decrypt(senderKey, skmsg.Content.Bytes.Span);
        return WaSms.WhatsApp.Proto.E2E.Message.Parser.ParseFrom(MessagePadding.Unpad(padded)).Conversation;
    }

    private static string Head(Node node) => node.ToString()[..(node.ToString().IndexOf('>', StringComparison.Ordinal) + 1)];

    private sealed record Member(Jid Device, SignalParty Party)
    {
        public SenderKeyRecord SenderKey { get; } = new();
    }
}
