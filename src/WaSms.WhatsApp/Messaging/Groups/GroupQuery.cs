using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Groups;

/// <summary>
/// Group metadata over <c>xmlns="w:g2"</c> (docs/protocol/messaging.md §11): one group with
/// <c>&lt;query request="interactive"/&gt;</c> to the group JID, all joined groups with
/// <c>&lt;participating&gt;</c> to <c>@g.us</c> (whatsmeow group.go, Baileys groups.js).
/// </summary>
internal static class GroupQuery
{
    /// <summary>Groups and members read at most (WhatsApp caps groups at 1,024 members).</summary>
    public const int MaxGroups = 10_000;

    /// <summary>Members read per group.</summary>
    public const int MaxParticipants = 5_000;

    /// <summary>When the metadata does not say: whatsmeow reads an absent <c>addressing_mode</c> as phone-number addressing.</summary>
    public const string DefaultAddressingMode = "pn";

    public static Node InfoQuery() => NodeHelpers.Make("query", ("request", "interactive"));

    public static Node ParticipatingQuery() =>
        NodeHelpers.Make("participating", [], NodeHelpers.Make("participants"), NodeHelpers.Make("description"));

    /// <summary>The <c>&lt;group&gt;</c> of a one-group answer.</summary>
    /// <exception cref="WaProtocolException">An iq error (404 not found, 403 not a member) or no <c>&lt;group&gt;</c>.</exception>
    public static GroupMetadata ParseInfo(Node reply, SignalChanges learned)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ThrowIfError(reply, "group metadata");
        return reply.TryGetChild("group", out var group) && ParseGroup(group, learned) is { } metadata
            ? metadata
            : throw new WaProtocolException("The group metadata answer has no valid <group>.");
    }

    /// <summary>Every <c>&lt;group&gt;</c> of a <c>participating</c> answer (<c>&lt;groups&gt;</c>).</summary>
    public static IReadOnlyList<GroupMetadata> ParseParticipating(Node reply, SignalChanges learned)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ThrowIfError(reply, "joined-groups");
        if (!reply.TryGetChild("groups", out var groups))
        {
            throw new WaProtocolException("The joined-groups answer has no <groups>.");
        }

        return [.. groups.Children.Where(c => c.Tag == "group").Take(MaxGroups).Select(g => ParseGroup(g, learned)).OfType<GroupMetadata>()];
    }

    /// <summary>
    /// One group; null when it has no usable id. Each member's LID↔PN pair (a PN member's <c>lid</c>, a LID
    /// member's <c>phone_number</c>) goes into <paramref name="learned"/>.
    /// </summary>
    public static GroupMetadata? ParseGroup(Node group, SignalChanges learned)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(learned);
        var id = group.Attr("id");
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        var text = id.Contains('@', StringComparison.Ordinal) ? id : id + "@" + JidServer.Group;
        if (!Jid.TryParse(text, out var jid) || jid.Server != JidServer.Group || jid.User.Length == 0)
        {
            return null;
        }

        var participants = new List<GroupParticipant>();
        foreach (var node in group.Children.Where(c => c.Tag == "participant").Take(MaxParticipants))
        {
            if (node.JidAttr("jid") is not { } member || member.User.Length == 0)
            {
                continue;
            }

            var lid = member.Server == JidServer.Lid ? member : node.JidAttr("lid");
            var pn = member.Server == JidServer.WhatsApp ? member : node.JidAttr("phone_number");
            if (lid is { Server: JidServer.Lid } && pn is { Server: JidServer.WhatsApp })
            {
                learned.LidMappings[lid.User] = pn.User;
            }

            participants.Add(new GroupParticipant(member, lid, pn));
        }

        var mode = group.Attr("addressing_mode") is { Length: > 0 } m ? m : DefaultAddressingMode;
        return new GroupMetadata(jid, group.Attr("subject") ?? string.Empty, mode, participants);
    }

    private static void ThrowIfError(Node reply, string what)
    {
        if (reply.Attr("type") != "result")
        {
            var error = reply.TryGetChild("error", out var e) ? $"{e.Attr("code")} {e.Attr("text")}" : "no result";
            throw new WaProtocolException($"The {what} query failed: {error}.");
        }
    }
}
