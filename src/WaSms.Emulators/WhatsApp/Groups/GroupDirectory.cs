using System.Collections.Concurrent;
using System.Globalization;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Groups;

/// <summary>The emulator's groups by JID.</summary>
internal sealed class GroupDirectory
{
    private readonly ConcurrentDictionary<Jid, EmulatedGroup> _groups = new();
    private long _lastId = 120_363_000_000_000_000;

    public IReadOnlyCollection<EmulatedGroup> All => [.. _groups.Values.OrderBy(g => g.Creation).ThenBy(g => g.Jid.User, StringComparer.Ordinal)];

    /// <summary>Makes a group with a fresh <c>1203…@g.us</c> JID; the creator is a member.</summary>
    public EmulatedGroup Create(string subject, EmulatedAccount creator, IEnumerable<EmulatedAccount> members, bool lidAddressed, long now)
    {
        var jid = new Jid(Interlocked.Increment(ref _lastId).ToString(CultureInfo.InvariantCulture), JidServer.Group);
        var group = new EmulatedGroup(jid, subject, creator, now, lidAddressed, [.. members.Prepend(creator).Distinct()]);
        _groups[jid] = group;
        return group;
    }

    public EmulatedGroup? Find(Jid? jid) =>
        jid is not null && _groups.TryGetValue(new Jid(jid.User, JidServer.Group), out var group) ? group : null;

    /// <summary>The groups <paramref name="account"/> is a member of.</summary>
    public IReadOnlyList<EmulatedGroup> Of(EmulatedAccount account) => [.. All.Where(g => g.IsMember(account))];
}
