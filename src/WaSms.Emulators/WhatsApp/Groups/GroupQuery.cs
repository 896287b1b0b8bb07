using System.Globalization;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Groups;

/// <summary>
/// <c>&lt;iq xmlns="w:g2" type="get"&gt;</c> (docs/protocol/messaging.md §11): one group
/// (<c>to=&lt;group&gt;</c>, <c>&lt;query/&gt;</c>) or every group of the asker (<c>to="@g.us"</c>,
/// <c>&lt;participating/&gt;</c>). Participants are written in the group's addressing mode, each with
/// its other identity (<c>phone_number</c> for a LID, <c>lid</c> for a PN); the creator is <c>superadmin</c>.
/// 404 for an unknown group, 403 when the asker is not a member.
/// </summary>
internal static class GroupQuery
{
    public static Node Answer(Node iq, EmulatedAccount asker, GroupDirectory groups)
    {
        var id = iq.Attr("id") ?? string.Empty;
        var to = iq.JidAttr("to");
        if (iq.TryGetChild("participating", out _))
        {
            return Result(id, to, NodeHelpers.Make("groups", [], [.. groups.Of(asker).Select(GroupNode)]));
        }

        if (iq.TryGetChild("query", out _) && to is { Server: JidServer.Group, User.Length: > 0 })
        {
            var group = groups.Find(to);
            if (group is null || !group.IsMember(asker))
            {
                var (code, text) = group is null ? ("404", "item-not-found") : ("403", "forbidden");
                return NodeHelpers.Make("iq", [("from", to), ("type", "error"), ("id", id)], NodeHelpers.Make("error", ("code", code), ("text", text)));
            }

            return Result(id, to, GroupNode(group));
        }

        return NodeHelpers.Make(
            "iq",
            [("from", to ?? Jid.GroupServer), ("type", "error"), ("id", id)],
            NodeHelpers.Make("error", ("code", "400"), ("text", "bad-request")));
    }

    private static Node Result(string id, Jid? to, Node content) =>
        NodeHelpers.Make("iq", [("from", to ?? Jid.GroupServer), ("type", "result"), ("id", id)], content);

    private static Node GroupNode(EmulatedGroup group)
    {
        var lid = group.LidAddressed;
        var creation = group.Creation.ToString(CultureInfo.InvariantCulture);
        var participants = group.Members.Select(member =>
        {
            var attributes = new List<(string Key, AttrValue Value)> { ("jid", member.User(lid)) };
            if (member == group.Creator)
            {
                attributes.Add(("type", "superadmin"));
            }

            attributes.Add(lid ? ("phone_number", member.Pn) : ("lid", member.Lid));
            return NodeHelpers.Make("participant", [.. attributes]);
        });
        return NodeHelpers.Make(
            "group",
            [
                ("id", group.Jid.User), ("subject", group.Subject), ("s_t", creation), ("s_o", group.Creator.User(lid)),
                ("creation", creation), ("creator", group.Creator.User(lid)), ("addressing_mode", group.AddressingMode),
                ("size", group.Members.Count.ToString(CultureInfo.InvariantCulture)),
            ],
            [.. participants]);
    }
}
