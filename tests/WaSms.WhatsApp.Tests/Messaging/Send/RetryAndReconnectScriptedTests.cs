using System.Buffers.Binary;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Messaging.Groups;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Signal;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>
/// Answers to retry receipts (docs/protocol/messaging.md §8), the outbox across a lost connection (same id,
/// one job) and the joined-groups query (§11), on a scripted server.
/// </summary>
public sealed class RetryAndReconnectScriptedTests
{
    private static readonly Jid AlicePn = new("15550002222", JidServer.WhatsApp);
    private static readonly Jid AliceLaptop = new("777001", JidServer.Lid, 3);

    [Fact]
    public async Task RetryReceiptWithKeys_NewSession_ResentToThatDeviceOnly_WithCount()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();
        var first = await DirectSendScriptedTests.FirstSendAsync(harness, new DirectSendScriptedTests.Devices());
        await harness.AckAsync(first);
        await harness.StatusAsync(job.MessageId, MessageStatus.Sent);

        // The laptop was reinstalled: a new identity, and it sends its keys with the second retry.
        var reinstalled = new SignalParty();
        await harness.Connection.SendAsync(RetryReceipt(job.MessageId, count: 2, reinstalled), harness.Token);
        var (resend, ack) = await ResendAndAckAsync(harness);

        Assert.Equal("receipt", ack.Attr("class"));
        Assert.Equal($"<message id=\"{job.MessageId}\" to=\"777001:3@lid\" type=\"text\" t=\"1764633650\" device_fanout=\"false\">", Head(resend));
        Assert.Equal(["enc", "device-identity"], resend.Children.Select(c => c.Tag));
        var enc = resend.Children[0];
        Assert.Equal(("pkmsg", "2"), (enc.Attr("type"), enc.Attr("count")));
        Assert.Equal("hello", SendHarness.Decrypt(reinstalled, enc).Conversation);
    }

    [Fact]
    public async Task RetryReceiptsWithoutKeys_FirstReusesTheSession_SecondFetchesAFreshBundleForIdentity()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();
        var devices = new DirectSendScriptedTests.Devices();
        await harness.AckAsync(await DirectSendScriptedTests.FirstSendAsync(harness, devices));
        await harness.StatusAsync(job.MessageId, MessageStatus.Sent);
        var (laptop, party) = devices.Alice[1];

        // Count 1, same registration, a session exists: re-encrypted on it, no query.
        await harness.Connection.SendAsync(RetryReceipt(job.MessageId, 1, party, withKeys: false), harness.Token);
        var (resend, _) = await ResendAndAckAsync(harness);
        Assert.Equal("1", resend.Children[0].Attr("count"));
        Assert.Equal("hello", SendHarness.Decrypt(party, resend.Children[0]).Conversation);

        // Count 2 and the session was never recreated: a fresh bundle, asked for with reason="identity".
        var reinstalled = new SignalParty(party.Identity.RegistrationId);
        await harness.Connection.SendAsync(RetryReceipt(job.MessageId, 2, reinstalled, withKeys: false), harness.Token);
        var first = await harness.Connection.ExpectAsync(n => n.Tag is "ack" or "iq", harness.Token);
        var keys = first.Tag == "iq" ? first : await harness.Connection.ExpectAsync(n => n.Tag == "iq", harness.Token);
        Assert.Equal(["777001:3@lid identity"], SendHarness.KeyUsers(keys));
        await harness.Connection.ReplyAsync(keys, harness.Token, SendHarness.BundleList((laptop, reinstalled)));
        var again = first.Tag == "ack"
            ? await harness.ExpectMessageAsync()
            : (await ResendAndAckAsync(harness)).Resend;
        Assert.Equal(("pkmsg", "2"), (again.Children[0].Attr("type"), again.Children[0].Attr("count")));
        Assert.Equal("hello", SendHarness.Decrypt(reinstalled, again.Children[0]).Conversation);
    }

    [Fact]
    public async Task RetryReceiptsBeyondTheBound_AreOnlyAcked()
    {
        await using var harness = SendHarness.Create(new SendOptions { MaxRetryResends = 1 });
        var job = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();
        await harness.AckAsync(await DirectSendScriptedTests.FirstSendAsync(harness, new DirectSendScriptedTests.Devices()));
        await harness.StatusAsync(job.MessageId, MessageStatus.Sent);
        var device = new SignalParty();
        await harness.Connection.SendAsync(RetryReceipt(job.MessageId, count: 2, device), harness.Token);
        var (resend, _) = await ResendAndAckAsync(harness);
        Assert.Equal("hello", SendHarness.Decrypt(device, resend.Children[0]).Conversation);

        await harness.Connection.SendAsync(RetryReceipt(job.MessageId, count: 3, device), harness.Token);
        Assert.Equal("receipt", (await harness.Connection.ExpectAsync(n => n.Tag == "ack", harness.Token)).Attr("class"));

        // The next stanza is the next job's message: no resend came before it.
        var next = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "next", harness.Token);
        harness.Client.WakeOutbox();
        Assert.Equal(next.MessageId, (await harness.ExpectMessageAsync()).Attr("id"));
    }

    [Fact]
    public async Task ConnectionLostBeforeTheAck_JobStaysPending_ResentUnderTheSameIdOnTheNextConnection()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync("caller-1", AlicePn.ToString(), "hello", harness.Token);
        await harness.ConnectAsync();
        var devices = new DirectSendScriptedTests.Devices();
        var lost = await DirectSendScriptedTests.FirstSendAsync(harness, devices);
        var (laptop, party) = devices.Alice[1];
        Assert.Equal("hello", SendHarness.Decrypt(party, SendHarness.EncFor(lost, laptop)).Conversation);

        await harness.Connection.CloseAsync();
        Assert.Equal(ConnectionOutcome.Ended, await harness.Run);
        Assert.Equal(MessageStatus.Pending, (await harness.Store.GetOutboundAsync(job.MessageId, harness.Token))!.Status);
        Assert.Equal(job.MessageId, (await harness.Store.EnqueueOutboundAsync("caller-1", AlicePn.ToString(), "hello", harness.Token)).MessageId);

        await harness.ConnectAsync();
        var again = await harness.ExpectMessageAsync();
        Assert.Equal(job.MessageId, again.Attr("id"));
        Assert.Equal("hello", SendHarness.Decrypt(party, SendHarness.EncFor(again, laptop)).Conversation);
        await harness.AckAsync(again);
        await harness.StatusAsync(job.MessageId, MessageStatus.Sent);
        Assert.Single(await harness.Store.ReadEventsAsync(0, 100, harness.Token), e => e.Status?.Status == MessageStatus.Pending);
    }

    [Fact]
    public async Task AQueryFailureHoldsOnlyItsChat_TheNextChatIsStillSent()
    {
        await using var harness = SendHarness.Create();
        var stuck = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "first", harness.Token);
        var nobody = new Jid("15550009999", JidServer.WhatsApp);
        var next = await harness.Store.EnqueueOutboundAsync(null, nobody.ToString(), "second", harness.Token);
        await harness.ConnectAsync();

        var failing = await harness.ExpectIqAsync("usync", "get");
        Assert.Contains(AlicePn.ToString(), SendHarness.UsyncUsers(failing));
        await harness.Connection.ReplyErrorAsync(failing, 500, "internal-server-error", harness.Token);

        // Alice's chat waits for the next connection; the other chat is not stuck behind it.
        var usync = await harness.ExpectIqAsync("usync", "get");
        Assert.Contains(nobody.ToString(), SendHarness.UsyncUsers(usync));
        await harness.Connection.ReplyAsync(usync, harness.Token, SendHarness.UsyncAnswer(SendHarness.UsyncUser(nobody, [])));
        Assert.Equal("not-on-whatsapp", (await harness.StatusAsync(next.MessageId, MessageStatus.Failed)).Change.Reason);
        Assert.Equal(MessageStatus.Pending, (await harness.Store.GetOutboundAsync(stuck.MessageId, harness.Token))!.Status);
    }

    [Fact]
    public async Task AJobWrittenTenTimesWithoutAnAck_Fails_WithoutAnotherSend()
    {
        await using var harness = SendHarness.Create();
        var job = await harness.Store.EnqueueOutboundAsync(null, AlicePn.ToString(), "hello", harness.Token);
        for (var i = 0; i < Outbox.MaxAttempts; i++)
        {
            await harness.Store.CommitSendAttemptAsync(new SignalChanges(), job.MessageId, harness.Token);
        }

        await harness.ConnectAsync();
        var failed = await harness.StatusAsync(job.MessageId, MessageStatus.Failed);
        Assert.Equal($"no-server-ack after {Outbox.MaxAttempts} attempts", failed.Change.Reason);
    }

    [Fact]
    public async Task GetJoinedGroups_AsksParticipating_ListsTheGroups_StoresMemberLids()
    {
        await using var harness = SendHarness.Create();
        await harness.ConnectAsync();

        var groups = harness.Client.GetJoinedGroupsAsync(harness.Token);
        var iq = await harness.ExpectIqAsync("w:g2", "get");
        Assert.Equal("@g.us", iq.Attr("to"));
        Assert.Equal("<participating><participants/><description/></participating>", iq.Children.Single().ToString());
        await harness.Connection.ReplyAsync(iq, harness.Token, NodeHelpers.Make("groups", [],
            NodeHelpers.Make("group", [("id", "120363001"), ("subject", "Team"), ("addressing_mode", "lid")],
                NodeHelpers.Make("participant", ("jid", new Jid("777001", JidServer.Lid)), ("phone_number", AlicePn)),
                NodeHelpers.Make("participant", ("jid", new Jid("99887766", JidServer.Lid)), ("phone_number", new Jid("15550001111", JidServer.WhatsApp))))));

        Assert.Equal([new GroupInfo(new Jid("120363001", JidServer.Group), "Team", 2, "lid")], await groups);
        Assert.Equal("777001", await harness.Signal.GetLidUserAsync(AlicePn.User, harness.Token));
    }

    /// <summary>A retry receipt from Alice's laptop carrying <paramref name="device"/>'s keys (whatsmeow/Baileys send them from count 2).</summary>
    internal static Node RetryReceipt(string id, int count, SignalParty device, bool withKeys = true)
    {
        var bundle = device.Bundle();
        var registration = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(registration, bundle.RegistrationId);
        var keys = SendHarness.BundleChildren(bundle, null);
        keys.Add(NodeHelpers.MakeBytes("device-identity", [], [1, 2, 3]));
        var children = new List<Node>
        {
            NodeHelpers.Make("retry", ("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("id", id), ("t", "1764633650"), ("v", "1")),
            NodeHelpers.MakeBytes("registration", [], registration),
        };
        if (withKeys)
        {
            children.Add(NodeHelpers.Make("keys", [], [.. keys]));
        }

        return NodeHelpers.Make("receipt", [("from", AliceLaptop), ("id", id), ("type", "retry"), ("t", "1764633660")], [.. children]);
    }

    /// <summary>The resend and the receipt's ack, in whichever order they come (the resend runs off the receive loop).</summary>
    internal static async Task<(Node Resend, Node Ack)> ResendAndAckAsync(SendHarness harness)
    {
        var one = await harness.Connection.ExpectAsync(n => n.Tag is "message" or "ack", harness.Token);
        var two = await harness.Connection.ExpectAsync(n => n.Tag is "message" or "ack" && n.Tag != one.Tag, harness.Token);
        return one.Tag == "message" ? (one, two) : (two, one);
    }

    private static string Head(Node node) => node.ToString()[..(node.ToString().IndexOf('>', StringComparison.Ordinal) + 1)];
}
