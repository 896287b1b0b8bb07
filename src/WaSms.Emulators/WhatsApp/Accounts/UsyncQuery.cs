using System.Globalization;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// <c>&lt;iq xmlns="usync" type="get"&gt;</c> (docs/protocol/messaging.md §6.1): for each
/// <c>&lt;user jid&gt;</c> (PN or LID) the protocols the query names — <c>devices</c> (device 0
/// without <c>key-index</c>, companions with theirs), <c>lid</c> (<c>&lt;lid val/&gt;</c> for a PN
/// user) and <c>contact</c> (<c>in</c>/<c>out</c>). Devices are listed in the user's own form, so a
/// LID query gets LID devices.
/// </summary>
internal static class UsyncQuery
{
    public static Node Answer(Node iq, AccountDirectory accounts, long now)
    {
        iq.TryGetChild("usync", out var usync);
        var protocols = usync is not null && usync.TryGetChild("query", out var query) ? query.Children.Select(c => c.Tag).ToHashSet(StringComparer.Ordinal) : [];
        var users = new List<Node>();
        if (usync is not null && usync.TryGetChild("list", out var list))
        {
            foreach (var user in list.Children.Where(u => u.Tag == "user"))
            {
                users.Add(AnswerUser(user, protocols, accounts, now));
            }
        }

        var echoed = usync?.Attributes.Select(a => (a.Key, a.Value)).ToArray() ?? [];
        return NodeHelpers.Make(
            "iq",
            [("from", Jid.WhatsAppServer), ("type", "result"), ("id", iq.Attr("id") ?? string.Empty)],
            NodeHelpers.Make("usync", echoed, NodeHelpers.Make("list", [], [.. users])));
    }

    private static Node AnswerUser(Node user, HashSet<string> protocols, AccountDirectory accounts, long now)
    {
        var jid = user.JidAttr("jid");
        if (jid is null && user.TryGetChild("contact", out var contact) && contact.Content.Kind == NodeContentKind.Bytes)
        {
            // Baileys' onWhatsApp: a phone number in <contact>+E164</contact> instead of a jid.
            var digits = new string([.. System.Text.Encoding.UTF8.GetString(contact.Content.Bytes.Span).Where(char.IsAsciiDigit)]);
            jid = digits.Length > 0 ? new Jid(digits, JidServer.WhatsApp) : null;
        }

        if (jid is null)
        {
            return NodeHelpers.Make("user", [], NodeHelpers.Make("error", ("code", "400"), ("text", "bad-request")));
        }

        var account = accounts.Find(jid);
        var lid = jid.Server == JidServer.Lid;
        var userJid = new Jid(jid.User, jid.Server);
        var children = new List<Node>();
        foreach (var protocol in protocols)
        {
            switch (protocol)
            {
                case "devices":
                    var devices = (account?.Devices ?? []).Select(d => d.Id == 0
                        ? NodeHelpers.Make("device", ("id", "0"))
                        : NodeHelpers.Make("device", ("id", d.Id.ToString(CultureInfo.InvariantCulture)), ("key-index", d.Id.ToString(CultureInfo.InvariantCulture))));
                    children.Add(NodeHelpers.Make(
                        "devices",
                        [],
                        NodeHelpers.Make("device-list", [], [.. devices]),
                        NodeHelpers.MakeBytes("key-index-list", [("ts", now.ToString(CultureInfo.InvariantCulture))], [])));
                    break;
                case "lid" when account is not null && !lid:
                    children.Add(NodeHelpers.Make("lid", ("val", account.Lid)));
                    break;
                case "contact":
                    children.Add(NodeHelpers.Make("contact", ("type", account is null ? "out" : "in")));
                    break;
            }
        }

        return NodeHelpers.Make("user", [("jid", userJid)], [.. children]);
    }
}
