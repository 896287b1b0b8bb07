using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Messaging.Send;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>The prekey bundle query and its answer (docs/protocol/messaging.md §6.2).</summary>
public sealed class PreKeyBundleQueryTests
{
    private static readonly Jid Device3 = new("777001", JidServer.Lid, 3);
    private static readonly Jid Phone = new("777001", JidServer.Lid);

    [Fact]
    public void Build_NamesEachDevice_WithReasonIdentityWhenForced()
    {
        Assert.Equal("<key><user jid=\"777001:3@lid\"/><user jid=\"777001@lid\"/></key>", PreKeyBundleQuery.Build([Device3, Phone], false).ToString());
        Assert.Equal("<key><user jid=\"777001:3@lid\" reason=\"identity\"/></key>", PreKeyBundleQuery.Build([Device3], true).ToString());
    }

    [Fact]
    public void Parse_ReadsBundles_WithAndWithoutOneTimeKey_AndPerUserErrors()
    {
        var unknown = new Jid("777009", JidServer.Lid);
        var reply = NodeHelpers.Make("iq", [("type", "result"), ("id", "1")], NodeHelpers.Make("list", [],
            BundleNode(Device3, 0x01020304, preKeyId: 0x0A0B0C),
            BundleNode(Phone, 77, preKeyId: null),
            NodeHelpers.Make("user", [("jid", unknown)], NodeHelpers.Make("error", ("code", "404"), ("text", "item-not-found")))));

        var answer = PreKeyBundleQuery.Parse(reply);

        var bundle = answer.Bundles[Device3];
        Assert.Equal((0x01020304u, 3u, 0x0A0B0Cu, 5u), (bundle.RegistrationId, bundle.DeviceId, bundle.PreKeyId!.Value, bundle.SignedPreKeyId));
        Assert.Equal(Filled(32, 1), bundle.IdentityKey.ToArray());
        Assert.Equal(Filled(64, 3), bundle.SignedPreKeySignature.ToArray());
        Assert.Equal(Filled(32, 4), bundle.PreKey.ToArray());
        Assert.Null(answer.Bundles[Phone].PreKeyId);
        Assert.Equal(0u, answer.Bundles[Phone].DeviceId);
        Assert.Equal("404 item-not-found", answer.Errors[unknown]);
    }

    [Fact]
    public void Parse_ShortIdentity_IsThatDevicesError()
    {
        var user = NodeHelpers.Make("user", [("jid", Device3)], NodeHelpers.MakeBytes("registration", [], [0, 0, 0, 1]), NodeHelpers.MakeBytes("identity", [], new byte[31]));

        var answer = PreKeyBundleQuery.Parse(NodeHelpers.Make("iq", [("type", "result")], NodeHelpers.Make("list", [], user)));

        Assert.Empty(answer.Bundles);
        Assert.Contains("<identity>", answer.Errors[Device3], StringComparison.Ordinal);
    }

    internal static Node BundleNode(Jid device, uint registration, uint? preKeyId)
    {
        var children = new List<Node>
        {
            NodeHelpers.MakeBytes("registration", [], [(byte)(registration >> 24), (byte)(registration >> 16), (byte)(registration >> 8), (byte)registration]),
            NodeHelpers.MakeBytes("type", [], [5]),
            NodeHelpers.MakeBytes("identity", [], Filled(32, 1)),
            PreKeyNodes.KeyNode("skey", 5, Filled(32, 2), Filled(64, 3)),
        };
        if (preKeyId is { } id)
        {
            children.Add(PreKeyNodes.KeyNode("key", id, Filled(32, 4)));
        }

        return NodeHelpers.Make("user", [("jid", device)], [.. children]);
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
