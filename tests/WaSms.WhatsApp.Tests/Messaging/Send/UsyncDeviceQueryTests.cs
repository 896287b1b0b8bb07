using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging.Usync;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>The usync device-list query and its cache (docs/protocol/messaging.md §6.1).</summary>
public sealed class UsyncDeviceQueryTests
{
    private static readonly Jid Alice = new("15550002222", JidServer.WhatsApp);
    private static readonly Jid AliceLid = new("777001", JidServer.Lid);

    [Fact]
    public void Build_AsksDevicesV2AndLid_ForEachUser()
    {
        var usync = UsyncDeviceQuery.Build("sid-1", [Alice, new Jid("777002", JidServer.Lid, 4)]);

        Assert.Equal(
            "<usync sid=\"sid-1\" mode=\"query\" last=\"true\" index=\"0\" context=\"message\"><query><devices version=\"2\"/><lid/></query>"
            + "<list><user jid=\"15550002222@s.whatsapp.net\"/><user jid=\"777002@lid\"/></list></usync>",
            Flat(usync));
    }

    [Fact]
    public void Parse_KeepsPhoneAndKeyIndexedCompanions_ReadsLid()
    {
        var users = UsyncDeviceQuery.Parse(Reply(
            User(Alice, [Device(0), Device(3, "2"), Device(5), Device(7, "0"), Device(9, "4", hosted: true)], AliceLid),
            User(new Jid("15550003333", JidServer.WhatsApp), [])));

        var alice = users[0];
        Assert.Equal(Alice, alice.User);
        Assert.Equal(AliceLid, alice.Lid);
        Assert.Equal([Alice, new Jid(Alice.User, JidServer.WhatsApp, 3), new Jid(Alice.User, JidServer.Hosted, 9)], alice.Devices);
        Assert.Empty(users[1].Devices);
        Assert.Null(users[1].Lid);
    }

    [Fact]
    public void Parse_DevicesWithError_HasNone()
    {
        var user = NodeHelpers.Make("user", [("jid", Alice)], NodeHelpers.Make("devices", [], NodeHelpers.Make("error", ("code", "404"), ("text", "not-found"))));

        Assert.Empty(Assert.Single(UsyncDeviceQuery.Parse(Reply(user))).Devices);
    }

    [Fact]
    public void Parse_IqError_Throws()
    {
        var error = NodeHelpers.Make("iq", [("type", "error"), ("id", "1")], NodeHelpers.Make("error", ("code", "500"), ("text", "internal")));

        Assert.Contains("500 internal", Assert.Throws<WaProtocolException>(() => UsyncDeviceQuery.Parse(error)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_ExpiresAfterItsLifetime()
    {
        var time = new FakeTimeProvider();
        var cache = new DeviceListCache(time, TimeSpan.FromHours(1));
        cache.Put(new UsyncUser(Alice, [Alice], AliceLid));

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.True(cache.TryGet(Alice, out _));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(cache.TryGet(Alice, out _));
    }

    [Fact]
    public void Cache_InvalidateByLid_DropsThePhoneNumberEntryToo()
    {
        var cache = new DeviceListCache(new FakeTimeProvider(), TimeSpan.FromHours(1));
        cache.Put(new UsyncUser(Alice, [Alice], AliceLid));
        cache.Put(new UsyncUser(AliceLid, [AliceLid], null));
        var bob = new Jid("15550003333", JidServer.WhatsApp);
        cache.Put(new UsyncUser(bob, [bob], null));

        cache.Invalidate(new Jid(AliceLid.User, JidServer.Lid, 3));

        Assert.False(cache.TryGet(Alice, out _));
        Assert.False(cache.TryGet(AliceLid, out _));
        Assert.True(cache.TryGet(bob, out _));
    }

    internal static Node Reply(params Node[] users) =>
        NodeHelpers.Make("iq", [("type", "result"), ("id", "1")], NodeHelpers.Make("usync", [], NodeHelpers.Make("list", [], users)));

    internal static Node User(Jid user, Node[] devices, Jid? lid = null)
    {
        var children = new List<Node> { NodeHelpers.Make("devices", [], NodeHelpers.Make("device-list", [], devices)) };
        if (lid is not null)
        {
            children.Add(NodeHelpers.Make("lid", ("val", lid)));
        }

        return NodeHelpers.Make("user", [("jid", user)], [.. children]);
    }

    internal static Node Device(int id, string? keyIndex = null, bool hosted = false)
    {
        var attributes = new List<(string, AttrValue)> { ("id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (keyIndex is not null)
        {
            attributes.Add(("key-index", keyIndex));
        }

        if (hosted)
        {
            attributes.Add(("is_hosted", "true"));
        }

        return NodeHelpers.Make("device", [.. attributes]);
    }

    internal static string Flat(Node node) => node.ToString().Replace("\n", string.Empty, StringComparison.Ordinal).Replace("  ", string.Empty, StringComparison.Ordinal);
}
