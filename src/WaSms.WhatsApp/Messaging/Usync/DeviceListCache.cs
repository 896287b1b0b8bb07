using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging.Usync;

/// <summary>
/// Device lists by user JID (PN or LID), each kept for a fixed time (Baileys keeps them 5 minutes,
/// whatsmeow until a <c>devices</c> notification; docs/protocol/messaging.md §6.1) and dropped at once
/// by <see cref="Invalidate"/> when the server says the user's devices changed. Shared by the
/// connections of one client; thread-safe.
/// </summary>
internal sealed class DeviceListCache
{
    /// <summary>Users kept at most (a few KB each at worst).</summary>
    public const int Capacity = 4096;

    private readonly ExpiringCache<Jid, UsyncUser> _entries;

    public DeviceListCache(TimeProvider time, TimeSpan lifetime) => _entries = new(time, lifetime, Capacity);

    /// <summary>The cached answer for <paramref name="user"/>, unless it is missing or expired.</summary>
    public bool TryGet(Jid user, out UsyncUser entry) => _entries.TryGet(user, out entry!);

    /// <summary>Keeps <paramref name="entry"/> under its user for the lifetime.</summary>
    public void Put(UsyncUser entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries.Put(entry.User, entry);
    }

    /// <summary>
    /// Forgets <paramref name="user"/>'s list (a <c>devices</c> notification, a phash mismatch), and the
    /// same account's list under its other identity (a PN entry whose LID is this user, or this user's LID).
    /// </summary>
    public void Invalidate(Jid user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var key = UsyncDeviceQuery.ToUser(user);
        var lid = _entries.TryGet(key, out var entry) ? entry.Lid : null;
        _entries.RemoveWhere((k, v) => k == key || k == lid || v.Lid == key);
    }
}
