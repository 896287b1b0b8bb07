using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Emulator;

/// <summary>
/// Accounts and devices on the emulator (docs/protocol/messaging.md §6.1, §6.2, §10): usync for PN
/// and LID users, prekey bundles that consume one-time prekeys with the low-count push, and the
/// devices notification a contact gets when a companion links.
/// </summary>
public sealed class EmulatorAccountTests : IAsyncLifetime
{
    private const string AliceNumber = "15550200001";
    private const string BobNumber = "15550200002";
    private readonly WaEmulator _emulator = new();
    private RawDevice _alice = null!;
    private RawDevice _bob = null!;

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _alice = await RawDevice.LinkAsync(_emulator, AliceNumber);
        _bob = await RawDevice.LinkAsync(_emulator, BobNumber);
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Usync_ListsDevicesByPnAndByLid_AndTheLidOfAPnUser()
    {
        var bobLid = new Jid(_bob.Lid.User, JidServer.Lid);
        var result = await _alice.IqAsync(NodeHelpers.Make(
            "iq",
            [("xmlns", "usync"), ("type", "get"), ("to", Jid.WhatsAppServer)],
            NodeHelpers.Make(
                "usync",
                [("sid", "s1"), ("mode", "query"), ("last", "true"), ("index", "0"), ("context", "message")],
                NodeHelpers.Make("query", [], NodeHelpers.Make("devices", ("version", "2")), NodeHelpers.Make("lid")),
                NodeHelpers.Make("list", [], NodeHelpers.Make("user", ("jid", new Jid(BobNumber, JidServer.WhatsApp))), NodeHelpers.Make("user", ("jid", bobLid)), NodeHelpers.Make("user", ("jid", new Jid("19990000000", JidServer.WhatsApp)))))));

        Assert.Equal("result", result.Attr("type"));
        Assert.True(result.TryGetChild("usync", out var usync));
        Assert.Equal("s1", usync.Attr("sid"));
        Assert.True(usync.TryGetChild("list", out var list));
        var (byPn, byLid, stranger) = (list.Children[0], list.Children[1], list.Children[2]);

        Assert.Equal($"{BobNumber}@s.whatsapp.net", byPn.Attr("jid"));
        Assert.Equal([(Id: "0", KeyIndex: (string?)null), ("1", "1")], DeviceList(byPn));
        Assert.True(byPn.TryGetChild("lid", out var lid));
        Assert.Equal(bobLid.ToString(), lid.Attr("val"));

        Assert.Equal(bobLid.ToString(), byLid.Attr("jid"));
        Assert.Equal(DeviceList(byPn), DeviceList(byLid));
        Assert.False(byLid.TryGetChild("lid", out _));

        Assert.Empty(DeviceList(stranger));
    }

    [Fact]
    public async Task PreKeyFetch_HandsOutOneBundlePerDevice_ConsumingOneTimePreKeys_AndPushesTheCountBelowFive()
    {
        await _bob.UploadPreKeysAsync(6);

        var first = await FetchAsync(_bob.Jid, _bob.Lid); // by PN, then the same device by LID
        Assert.Equal(2, first.Count);
        Assert.Equal((uint)1, PreKeyId(first[0]));
        Assert.Equal((uint)2, PreKeyId(first[1]));
        Assert.Equal(_bob.Credentials.IdentityKey.PublicKey.ToArray(), Bytes(first[0], "identity"));
        Assert.Equal(_bob.Credentials.SignedPreKeySignature.ToArray(), first[0].Children.Single(c => c.Tag == "skey").Children.Single(c => c.Tag == "signature").Content.Bytes.ToArray());
        Assert.Equal(4, _emulator.PreKeyCount(_bob.Jid));

        // Taking the count from 5 to 4 pushes the low-prekey notification to the device.
        var push = await _bob.WaitForAsync(n => n.Tag == "notification" && n.Attr("type") == "encrypt");
        Assert.True(push.TryGetChild("count", out var count));
        Assert.Equal("4", count.Attr("value"));

        var rest = await FetchAsync(_bob.Jid, _bob.Jid, _bob.Jid, _bob.Jid, _bob.Jid);
        Assert.Equal([3u, 4u, 5u, 6u, null], rest.Select(PreKeyId));
        Assert.True(rest[4].TryGetChild("skey", out _)); // a bundle without <key> when none is left

        // The emulated phone (device 0) has a bundle too, and an unknown device gets an error.
        var phoneAndStranger = await FetchAsync(new Jid(BobNumber, JidServer.WhatsApp), new Jid(BobNumber, JidServer.WhatsApp, 9));
        Assert.NotNull(PreKeyId(phoneAndStranger[0]));
        Assert.True(phoneAndStranger[1].TryGetChild("error", out var error));
        Assert.Equal("404", error.Attr("code"));
    }

    [Fact]
    public async Task LinkingACompanion_TellsContactsWithTheNewDeviceHash()
    {
        await using var bob2 = await RawDevice.LinkAsync(_emulator, BobNumber);
        // Alice also heard of Bob's first companion when it linked; this is about the second.
        var notification = await _alice.WaitForAsync(n => n.Tag == "notification" && n.Attr("type") == "devices"
            && n.Children.Any(c => c.Children.Any(d => d.Attr("jid") == bob2.Jid.ToString())));
        Assert.Equal($"{BobNumber}@s.whatsapp.net", notification.Attr("from"));
        Assert.Equal($"{bob2.Lid.User}@lid", notification.Attr("lid"));
        var add = Assert.Single(notification.Children);
        Assert.Equal("add", add.Tag);
        Assert.Equal(EmulatorRoutingTests.Phash(EmulatorRoutingTests.Devices(BobNumber, JidServer.WhatsApp, 0, 1, 2)), add.Attr("device_hash"));
        Assert.Equal(bob2.Jid.ToString(), Assert.Single(add.Children).Attr("jid"));

        // Bob's first companion learns its own list changed.
        var sync = await _bob.WaitForAsync(n => n.Tag == "notification" && n.Attr("type") == "account_sync");
        Assert.True(sync.TryGetChild("devices", out var devices));
        Assert.Equal(3, devices.Children.Count);
    }

    [Fact]
    public async Task ACompanionUnlinkingItself_TellsContactsWithTheShorterList()
    {
        var bob2 = await RawDevice.LinkAsync(_emulator, BobNumber);
        await using (bob2)
        {
            var removed = await bob2.IqAsync(NodeHelpers.Make("iq", [("xmlns", "md"), ("type", "set"), ("to", Jid.WhatsAppServer)], NodeHelpers.Make("remove-companion-device", ("jid", bob2.Jid), ("reason", "user_initiated"))));
            Assert.Equal("result", removed.Attr("type"));
        }

        var notification = await _alice.WaitForAsync(n => n.Tag == "notification" && n.Attr("type") == "devices" && n.Children.Any(c => c.Tag == "remove"));
        var remove = Assert.Single(notification.Children);
        Assert.Equal(bob2.Jid.ToString(), Assert.Single(remove.Children).Attr("jid"));
        Assert.Equal(EmulatorRoutingTests.Phash(EmulatorRoutingTests.Devices(BobNumber, JidServer.WhatsApp, 0, 1)), remove.Attr("device_hash"));
        Assert.DoesNotContain(_emulator.Devices, d => d.Jid == bob2.Jid);
    }

    private async Task<IReadOnlyList<Node>> FetchAsync(params Jid[] devices)
    {
        var result = await _alice.IqAsync(NodeHelpers.Make(
            "iq",
            [("xmlns", "encrypt"), ("type", "get"), ("to", Jid.WhatsAppServer)],
            NodeHelpers.Make("key", [], [.. devices.Select(d => NodeHelpers.Make("user", ("jid", d)))])));
        Assert.True(result.TryGetChild("list", out var list));
        Assert.Equal(devices.Select(d => d.ToString()), list.Children.Select(u => u.Attr("jid")));
        return list.Children;
    }

    private static uint? PreKeyId(Node user) =>
        user.TryGetChild("key", out var key) && key.TryGetBytesChild("id", out var id) ? (uint)(id[0] << 16 | id[1] << 8 | id[2]) : null;

    private static byte[] Bytes(Node node, string tag) => node.TryGetBytesChild(tag, out var bytes) ? bytes : [];

    private static List<(string? Id, string? KeyIndex)> DeviceList(Node user) =>
        user.TryGetChild("devices", out var devices) && devices.TryGetChild("device-list", out var list)
            ? [.. list.Children.Select(d => (d.Attr("id"), d.Attr("key-index")))]
            : [];
}
