using System.Globalization;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging.Usync;

/// <summary>What usync said about one user: its devices (device JIDs as the server named the user) and its LID, if given.</summary>
/// <param name="User">The user JID of the <c>&lt;user jid&gt;</c> element (no device).</param>
/// <param name="Devices">Device 0 as the bare user JID, companions as <c>user:N@server</c>; empty when the server listed none.</param>
/// <param name="Lid">The user's LID (<c>&lt;lid val&gt;</c>, no device), or null.</param>
public sealed record UsyncUser(Jid User, IReadOnlyList<Jid> Devices, Jid? Lid);

/// <summary>
/// The usync device-list query (docs/protocol/messaging.md §6.1): <c>&lt;devices version="2"/&gt;</c>
/// and <c>&lt;lid/&gt;</c> for a set of users, as Baileys rc14 asks it (whatsmeow asks devices only).
/// </summary>
internal static class UsyncDeviceQuery
{
    /// <summary>At most this many users per query, and devices per user kept (a bound against a hostile answer).</summary>
    public const int MaxUsers = 512;

    /// <summary>Devices kept per user; WhatsApp allows one phone and a few companions.</summary>
    public const int MaxDevicesPerUser = 64;

    /// <summary>The <c>&lt;usync&gt;</c> child of the iq for <paramref name="users"/> (user JIDs, PN or LID, no device).</summary>
    public static Node Build(string sid, IReadOnlyCollection<Jid> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (users.Count is 0 or > MaxUsers)
        {
            throw new ArgumentOutOfRangeException(nameof(users), users.Count, $"A usync query names 1 to {MaxUsers} users.");
        }

        return NodeHelpers.Make(
            "usync",
            [("sid", sid), ("mode", "query"), ("last", "true"), ("index", "0"), ("context", "message")],
            NodeHelpers.Make("query", [], NodeHelpers.Make("devices", ("version", "2")), NodeHelpers.Make("lid")),
            NodeHelpers.Make("list", [], [.. users.Select(u => NodeHelpers.Make("user", ("jid", ToUser(u))))]));
    }

    /// <summary>
    /// Reads the answer: one <see cref="UsyncUser"/> per <c>&lt;user&gt;</c>. A companion device without
    /// a non-zero <c>key-index</c> is dropped and <c>is_hosted</c> moves a device to the hosted server, as
    /// Baileys does (<c>extractDeviceJids</c>); a user whose devices carry an <c>&lt;error&gt;</c> has none.
    /// </summary>
    /// <exception cref="WaProtocolException">The answer is an error or has no <c>&lt;usync&gt;&lt;list&gt;</c>.</exception>
    public static IReadOnlyList<UsyncUser> Parse(Node reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Attr("type") != "result" || !reply.TryGetChild("usync", out var usync) || !usync.TryGetChild("list", out var list))
        {
            throw new WaProtocolException($"The usync query got no <usync><list>: {Describe(reply)}.");
        }

        var users = new List<UsyncUser>();
        foreach (var userNode in list.Children.Where(c => c.Tag == "user").Take(MaxUsers))
        {
            if (userNode.JidAttr("jid") is not { } jid || jid.User.Length == 0)
            {
                continue;
            }

            var user = ToUser(jid);
            var lid = userNode.TryGetChild("lid", out var lidNode) && lidNode.JidAttr("val") is { Server: JidServer.Lid } lidJid
                ? ToUser(lidJid)
                : null;
            users.Add(new UsyncUser(user, ParseDevices(user, userNode), lid));
        }

        return users;
    }

    /// <summary>The user JID of <paramref name="jid"/>: no device, no agent.</summary>
    public static Jid ToUser(Jid jid)
    {
        ArgumentNullException.ThrowIfNull(jid);
        return jid.Device is null && jid.Agent == 0 ? jid : new Jid(jid.User, jid.Server);
    }

    private static List<Jid> ParseDevices(Jid user, Node userNode)
    {
        var devices = new List<Jid>();
        if (!userNode.TryGetChild("devices", out var devicesNode) || devicesNode.TryGetChild("error", out _)
            || !devicesNode.TryGetChild("device-list", out var deviceList))
        {
            return devices;
        }

        foreach (var device in deviceList.Children.Where(c => c.Tag == "device"))
        {
            if (!device.TryIntAttr("id", out var id) || id > byte.MaxValue)
            {
                continue;
            }

            var hasKeyIndex = device.TryIntAttr("key-index", out var keyIndex) && keyIndex > 0;
            if (id != 0 && !hasKeyIndex)
            {
                continue;
            }

            var server = device.Attr("is_hosted") == "true"
                ? user.Server == JidServer.Lid ? JidServer.HostedLid : JidServer.Hosted
                : user.Server;
            var deviceJid = id == 0 && server == user.Server ? user : new Jid(user.User, server, (ushort)id);
            if (!devices.Contains(deviceJid))
            {
                devices.Add(deviceJid);
            }

            if (devices.Count == MaxDevicesPerUser)
            {
                break;
            }
        }

        return devices;
    }

    private static string Describe(Node reply) =>
        reply.TryGetChild("error", out var error)
            ? string.Create(CultureInfo.InvariantCulture, $"{error.Attr("code")} {error.Attr("text")}")
            : "type " + (reply.Attr("type") ?? "none");
}
