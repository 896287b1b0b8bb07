using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Emulator;

/// <summary>Minimal groups (docs/protocol/messaging.md §6.4, §11): metadata queries and the skmsg fan-out.</summary>
public sealed class EmulatorGroupTests
{
    private const string AliceNumber = "15550400001";
    private const string BobNumber = "15550400002";

    [Fact]
    public async Task GroupQueries_AndFanout_FollowTheAddressingMode()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        await using var alice = await RawDevice.LinkAsync(emulator, AliceNumber);
        await using var alice2 = await RawDevice.LinkAsync(emulator, AliceNumber);
        await using var bob = await RawDevice.LinkAsync(emulator, BobNumber);
        await using var bob2 = await RawDevice.LinkAsync(emulator, BobNumber);
        var aliceAccount = emulator.Accounts.GetOrCreate(AliceNumber);
        var bobAccount = emulator.Accounts.GetOrCreate(BobNumber);
        var group = emulator.Groups.Create("Team", aliceAccount, [bobAccount], lidAddressed: true, now: 1_700_000_000);
        emulator.Groups.Create("Elsewhere", emulator.Accounts.GetOrCreate("15550400009"), [], lidAddressed: false, now: 1_700_000_001);

        var one = await alice.IqAsync(NodeHelpers.Make("iq", [("xmlns", "w:g2"), ("type", "get"), ("to", group.Jid)], NodeHelpers.Make("query", ("request", "interactive"))));
        Assert.True(one.TryGetChild("group", out var info));
        Assert.Equal((group.Jid.User, "Team", "lid", "2"), (info.Attr("id"), info.Attr("subject"), info.Attr("addressing_mode"), info.Attr("size")));
        var participants = info.Children.Select(p => (p.Attr("jid"), p.Attr("phone_number"))).ToList();
        Assert.Equal([($"{aliceAccount.LidUser}@lid", $"{AliceNumber}@s.whatsapp.net"), ($"{bobAccount.LidUser}@lid", $"{BobNumber}@s.whatsapp.net")], participants);

        var all = await bob.IqAsync(NodeHelpers.Make("iq", [("xmlns", "w:g2"), ("type", "get"), ("to", Jid.GroupServer)], NodeHelpers.Make("participating", [], NodeHelpers.Make("participants"), NodeHelpers.Make("description"))));
        Assert.True(all.TryGetChild("groups", out var groups));
        Assert.Equal("Team", Assert.Single(groups.Children).Attr("subject"));

        var stranger = await bob.IqAsync(NodeHelpers.Make("iq", [("xmlns", "w:g2"), ("type", "get"), ("to", new Jid("1", JidServer.Group))], NodeHelpers.Make("query")));
        Assert.Equal("error", stranger.Attr("type"));

        // Alice sends an SKDM to Bob's first companion only, and the skmsg for everyone.
        await alice.SendAsync(NodeHelpers.Make(
            "message",
            [("id", "g1"), ("to", group.Jid), ("type", "text"), ("addressing_mode", "lid")],
            NodeHelpers.Make("participants", [], NodeHelpers.Make("to", [("jid", bob.Lid)], NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "pkmsg")], [1]))),
            NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", "skmsg")], [2])));
        var ack = await alice.NextAsync("ack");
        Assert.Equal(
            EmulatorRoutingTests.Phash(EmulatorRoutingTests.Devices(aliceAccount.LidUser, JidServer.Lid, 0, 1, 2).Concat(EmulatorRoutingTests.Devices(bobAccount.LidUser, JidServer.Lid, 0, 1, 2))),
            ack.Attr("phash"));

        var withSkdm = await bob.NextAsync("message");
        Assert.Equal((group.Jid.ToString(), alice.Lid.ToString(), "lid", $"{AliceNumber}@s.whatsapp.net"), (withSkdm.Attr("from"), withSkdm.Attr("participant"), withSkdm.Attr("addressing_mode"), withSkdm.Attr("participant_pn")));
        Assert.Equal(["pkmsg", "skmsg"], withSkdm.Children.Where(c => c.Tag == "enc").Select(c => c.Attr("type")));
        Assert.Equal("skmsg", Assert.Single((await bob2.NextAsync("message")).Children).Attr("type"));
        Assert.Equal("skmsg", Assert.Single((await alice2.NextAsync("message")).Children).Attr("type"));

        // A group receipt comes back from the group, with the reader as participant.
        await bob.SendAsync(NodeHelpers.Make("receipt", ("id", "g1"), ("to", group.Jid), ("participant", alice.Lid)));
        // (The played phones of both accounts answer too; this is the companion's receipt.)
        var receipt = await alice.WaitForAsync(n => n.Tag == "receipt" && n.Attr("participant") == bob.Lid.ToString());
        Assert.Equal(group.Jid.ToString(), receipt.Attr("from"));
    }
}
