using System.Security.Cryptography;
using System.Text;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Emulator;

/// <summary>
/// The emulator as WhatsApp's message router (docs/protocol/messaging.md §12), driven by raw
/// logged-in devices over the real transport: fan-out per device, server acks with phash, receipts
/// and retry receipts routed back, targeted resends in both client dialects.
/// </summary>
public sealed class EmulatorRoutingTests : IAsyncLifetime
{
    private const string AliceNumber = "15550100001";
    private const string BobNumber = "15550100002";
    private readonly WaEmulator _emulator = new();
    private RawDevice _alice1 = null!;
    private RawDevice _alice2 = null!;
    private RawDevice _bob1 = null!;
    private RawDevice _bob2 = null!;

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _alice1 = await RawDevice.LinkAsync(_emulator, AliceNumber);
        _alice2 = await RawDevice.LinkAsync(_emulator, AliceNumber);
        _bob1 = await RawDevice.LinkAsync(_emulator, BobNumber);
        _bob2 = await RawDevice.LinkAsync(_emulator, BobNumber);
    }

    public async Task DisposeAsync()
    {
        foreach (var device in (RawDevice[])[_alice1, _alice2, _bob1, _bob2])
        {
            await device.DisposeAsync();
        }

        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task OneToOne_EachDeviceGetsOnlyItsOwnEnc_TheSenderGetsAnAckWithPhash()
    {
        var bob = new Jid(BobNumber, JidServer.WhatsApp);
        await _alice1.SendAsync(Message("m1", bob, ("text", null),
            (_bob1.Jid, "msg", [1]), (_bob2.Jid, "pkmsg", [2]), (_alice2.Jid, "msg", [3])));

        var ack = await _alice1.NextAsync("ack");
        Assert.Equal(("message", "m1"), (ack.Attr("class"), ack.Attr("id")));
        Assert.NotNull(ack.Attr("t"));
        // The server's hash covers both accounts' devices (phones included) and the sender (§5).
        Assert.Equal(Phash(Devices(BobNumber, JidServer.WhatsApp, 0, 1, 2).Concat(Devices(AliceNumber, JidServer.WhatsApp, 0, 1, 2))), ack.Attr("phash"));

        var toBob1 = await _bob1.NextAsync("message");
        Assert.Equal(_alice1.Jid.ToString(), toBob1.Attr("from"));
        Assert.Equal($"{_alice1.Lid.User}@lid", toBob1.Attr("sender_lid"));
        Assert.Equal("text", toBob1.Attr("type"));
        Assert.Null(toBob1.Attr("recipient"));
        Assert.Equal([1], Assert.Single(toBob1.Children).Content.Bytes.ToArray());

        var toBob2 = await _bob2.NextAsync("message");
        Assert.Equal("pkmsg", Assert.Single(toBob2.Children, c => c.Tag == "enc").Attr("type"));
        Assert.Equal([2], toBob2.Children[0].Content.Bytes.ToArray());
        Assert.Equal("device-identity", toBob2.Children[1].Tag); // forwarded with a pkmsg

        var ownCopy = await _alice2.NextAsync("message");
        Assert.Equal(_alice1.Jid.ToString(), ownCopy.Attr("from"));
        Assert.Equal(bob.ToString(), ownCopy.Attr("recipient"));
        Assert.Null(ownCopy.Attr("sender_lid"));
        Assert.Equal([3], Assert.Single(ownCopy.Children).Content.Bytes.ToArray());
    }

    [Fact]
    public async Task OneToOne_ByLid_ComesFromTheSendersLidWithSenderPn()
    {
        var bobLid = new Jid(_bob1.Lid.User, JidServer.Lid);
        await _alice1.SendAsync(Message("m2", bobLid, ("text", null), (_bob1.Lid, "msg", [7])));

        var ack = await _alice1.NextAsync("ack");
        Assert.Equal(Phash(Devices(_bob1.Lid.User, JidServer.Lid, 0, 1, 2).Concat(Devices(_alice1.Lid.User, JidServer.Lid, 0, 1, 2))), ack.Attr("phash"));
        var received = await _bob1.NextAsync("message");
        Assert.Equal(_alice1.Lid.ToString(), received.Attr("from"));
        Assert.Equal($"{AliceNumber}@s.whatsapp.net", received.Attr("sender_pn"));
    }

    [Fact]
    public async Task Receipts_GoBackToTheSendingDevices_AndAreAcked()
    {
        await _alice1.SendAsync(Message("m3", new Jid(BobNumber, JidServer.WhatsApp), ("text", null), (_bob1.Jid, "msg", [1])));
        await _bob1.NextAsync("message");

        await _bob1.SendAsync(NodeHelpers.Make("receipt", ("id", "m3"), ("to", _alice1.Jid)));
        var ack = await _bob1.NextAsync("ack");
        Assert.Equal(("receipt", "m3"), (ack.Attr("class"), ack.Attr("id")));
        var delivered = await _alice1.WaitForAsync(n => n.Tag == "receipt");
        Assert.Equal(("m3", _bob1.Jid.ToString(), null), (delivered.Attr("id"), delivered.Attr("from"), delivered.Attr("type")));
        // Every device of the sending account hears of it (Alice's second companion too).
        Assert.Equal(_bob1.Jid.ToString(), (await _alice2.NextAsync("receipt")).Attr("from"));

        await _bob1.SendAsync(NodeHelpers.Make("receipt", ("id", "m3"), ("to", new Jid(AliceNumber, JidServer.WhatsApp)), ("type", "read"), ("t", "1700000000")));
        var read = await _alice1.WaitForAsync(n => n.Tag == "receipt");
        Assert.Equal(("read", "1700000000"), (read.Attr("type"), read.Attr("t")));
    }

    [Fact]
    public async Task RetryReceipt_ReachesOnlyTheSendingDeviceUnchanged_AndTheResendOnlyTheNamedDevice()
    {
        var bob = new Jid(BobNumber, JidServer.WhatsApp);
        await _alice1.SendAsync(Message("m4", bob, ("text", null), (_bob1.Jid, "msg", [1]), (_bob2.Jid, "msg", [2])));
        await _bob1.NextAsync("message");
        await _bob2.NextAsync("message");

        var keys = NodeHelpers.Make("keys", [], NodeHelpers.MakeBytes("type", [], [5]), NodeHelpers.MakeBytes("identity", [], new byte[32]));
        await _bob1.SendAsync(NodeHelpers.Make(
            "receipt",
            [("id", "m4"), ("to", _alice1.Jid), ("type", "retry")],
            NodeHelpers.Make("retry", ("count", "2"), ("id", "m4"), ("t", "1"), ("v", "1")),
            NodeHelpers.MakeBytes("registration", [], [0, 0, 1, 2]),
            keys));
        var retry = await _alice1.WaitForAsync(n => n.Tag == "receipt");
        Assert.Equal(("retry", _bob1.Jid.ToString()), (retry.Attr("type"), retry.Attr("from")));
        Assert.Equal(["retry", "registration", "keys"], retry.Children.Select(c => c.Tag));
        Assert.Equal(keys, retry.Children[2]);

        // whatsmeow's resend: device_fanout="false", to = the device.
        await _alice1.SendAsync(NodeHelpers.Make(
            "message",
            [("id", "m4"), ("to", _bob1.Jid), ("type", "text"), ("device_fanout", "false")],
            NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "pkmsg"), ("count", "2")], [9])));
        // Baileys rc14's resend: a direct <enc count> and the same device in <participants>.
        await _alice1.SendAsync(NodeHelpers.Make(
            "message",
            [("id", "m4"), ("to", _bob1.Jid), ("type", "text")],
            NodeHelpers.Make("participants", [], NodeHelpers.Make("to", [("jid", _bob1.Jid)], NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "msg")], [10]))),
            NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "msg"), ("count", "3")], [11])));
        await _alice1.SendAsync(Message("sentinel", bob, ("text", null), (_bob1.Jid, "msg", [12]), (_bob2.Jid, "msg", [13])));

        var first = await _bob1.NextAsync("message");
        Assert.Equal(("m4", "2"), (first.Attr("id"), first.Children[0].Attr("count")));
        var second = await _bob1.NextAsync("message");
        Assert.Equal([11], Assert.Single(second.Children).Content.Bytes.ToArray());
        Assert.Equal("sentinel", (await _bob1.NextAsync("message")).Attr("id"));
        // Bob's other device got neither resend, and Alice's other device no retry receipt.
        Assert.Equal("sentinel", (await _bob2.NextAsync("message")).Attr("id"));
        Assert.DoesNotContain(await Drain(_alice2), n => n.Tag == "receipt" && n.Attr("type") == "retry");
    }

    [Fact]
    public async Task ServerAck_ForAnUnknownGroup_CarriesAnError()
    {
        await _alice1.SendAsync(NodeHelpers.Make("message", [("id", "g0"), ("to", new Jid("120363999", JidServer.Group)), ("type", "text")], NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "skmsg")], [1])));
        var ack = await _alice1.NextAsync("ack");
        Assert.Equal("404", ack.Attr("error"));
    }

    /// <summary>A client message with one <c>&lt;to&gt;</c> per device and a device identity.</summary>
    internal static Node Message(string id, Jid to, (string Type, string? Extra) kind, params (Jid Device, string EncType, byte[] Bytes)[] encs) =>
        NodeHelpers.Make(
            "message",
            [("id", id), ("to", to), ("type", kind.Type)],
            NodeHelpers.Make("participants", [], [.. encs.Select(e => NodeHelpers.Make("to", [("jid", e.Device)], NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", e.EncType)], e.Bytes)))]),
            NodeHelpers.MakeBytes("device-identity", [], [0xAD]));

    /// <summary>whatsmeow's participantListHashV2, written out here independently of the emulator's.</summary>
    internal static string Phash(IEnumerable<string> adStrings)
    {
        var sorted = adStrings.OrderBy(s => s, StringComparer.Ordinal);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(sorted)));
        return "2:" + Convert.ToBase64String(digest[..6]);
    }

    internal static IEnumerable<string> Devices(string user, string server, params int[] ids) => ids.Select(i => $"{user}.0:{i}@{server}");

    /// <summary>What arrived up to a round trip from now (the emulator answers a ping after everything it sent the device before).</summary>
    internal static async Task<IReadOnlyList<Node>> Drain(RawDevice device)
    {
        await device.IqAsync(NodeHelpers.Make("iq", [("xmlns", "w:p"), ("type", "get"), ("to", Jid.WhatsAppServer)], NodeHelpers.Make("ping")));
        return device.TakePending();
    }
}
