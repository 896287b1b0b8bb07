using System.Buffers.Binary;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Signal;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// <c>&lt;iq xmlns="encrypt" type="get"&gt;&lt;key&gt;&lt;user jid/&gt;…</c> (docs/protocol/messaging.md §6.2):
/// one bundle per device JID (PN or LID form), each consuming that device's lowest one-time prekey;
/// <c>&lt;key&gt;</c> is left out when none is left. An unknown device gets
/// <c>&lt;error code="404"/&gt;</c> in its <c>&lt;user&gt;</c>.
/// </summary>
internal static class PreKeyFetch
{
    /// <summary>The answer, and the devices whose count fell below <see cref="PreKeyUpload.MinServerCount"/> with this fetch.</summary>
    public static (Node Result, IReadOnlyList<(ServerDevice Device, int Left)> Low) Answer(Node iq, AccountDirectory accounts)
    {
        var users = new List<Node>();
        var low = new List<(ServerDevice, int)>();
        if (iq.TryGetChild("key", out var key))
        {
            foreach (var user in key.Children.Where(u => u.Tag == "user"))
            {
                var jid = user.JidAttr("jid");
                var device = accounts.FindDevice(jid);
                var left = 0;
                var bundle = device?.Keys.TakeBundle(device.Id, out left);
                if (jid is null || device is null || bundle is null)
                {
                    users.Add(NodeHelpers.Make("user", [("jid", jid?.ToString() ?? string.Empty)], NodeHelpers.Make("error", ("code", "404"), ("text", "item-not-found"))));
                    continue;
                }

                if (bundle.PreKeyId is not null && left == PreKeyUpload.MinServerCount - 1)
                {
                    low.Add((device, left));
                }

                users.Add(NodeHelpers.Make("user", [("jid", jid)], [.. BundleNodes(bundle)]));
            }
        }

        var result = NodeHelpers.Make(
            "iq",
            [("from", Jid.WhatsAppServer), ("type", "result"), ("id", iq.Attr("id") ?? string.Empty)],
            NodeHelpers.Make("list", [], [.. users]));
        return (result, low);
    }

    /// <summary>The bundle's children as the server writes them; without <c>&lt;registration&gt;</c> they are a retry receipt's <c>&lt;keys&gt;</c> (§8).</summary>
    public static IEnumerable<Node> BundleNodes(PreKeyBundle bundle, bool withRegistration = true)
    {
        if (withRegistration)
        {
            var registration = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(registration, bundle.RegistrationId);
            yield return NodeHelpers.MakeBytes("registration", [], registration);
        }

        yield return NodeHelpers.MakeBytes("type", [], [ClientPayloadFactory.KeyTypeDjb]);
        yield return NodeHelpers.MakeBytes("identity", [], bundle.IdentityKey.Span);
        yield return NodeHelpers.Make(
            "skey",
            [],
            NodeHelpers.MakeBytes("id", [], Id3(bundle.SignedPreKeyId)),
            NodeHelpers.MakeBytes("value", [], bundle.SignedPreKey.Span),
            NodeHelpers.MakeBytes("signature", [], bundle.SignedPreKeySignature.Span));
        if (bundle.PreKeyId is { } preKeyId)
        {
            yield return NodeHelpers.Make("key", [], NodeHelpers.MakeBytes("id", [], Id3(preKeyId)), NodeHelpers.MakeBytes("value", [], bundle.PreKey.Span));
        }
    }

    private static byte[] Id3(uint id) => [(byte)(id >> 16), (byte)(id >> 8), (byte)id];
}
