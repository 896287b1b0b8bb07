using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging;

/// <summary>
/// A user or device under both of its names when known: the phone-number JID and the LID. Signal
/// state is keyed by the LID whenever it is known (docs/protocol/messaging.md §1, §3 step 1, as
/// whatsmeow and Baileys do); what the gateway shows is the phone number when known.
/// </summary>
/// <param name="Received">The JID as the stanza named it.</param>
/// <param name="Lid">The LID form (same device), or null when unknown.</param>
/// <param name="Phone">The phone-number form (same device), or null when unknown.</param>
internal sealed record UserIdentity(Jid Received, Jid? Lid, Jid? Phone)
{
    /// <summary>The address Signal sessions and sender keys of this device are kept under: the LID when known.</summary>
    public SignalAddress SignalAddress => SignalAddress.FromJid(Lid ?? Received);

    /// <summary>The phone-number address when it differs from <see cref="SignalAddress"/> (a session made before the LID was known).</summary>
    public SignalAddress? LegacyAddress => Lid is not null && Phone is not null ? SignalAddress.FromJid(Phone) : null;

    /// <summary>The user (no device) the gateway shows: the phone number when known.</summary>
    public Jid DisplayUser => ToUser(Phone ?? Received);

    /// <summary>The user's other name (no device), or null.</summary>
    public Jid? AlternateUser => Phone is not null && Lid is not null ? ToUser(Lid) : null;

    /// <summary>True when this is one of the users in <paramref name="own"/> (our phone number or our LID).</summary>
    public bool IsUser(Jid? ownPhone, Jid? ownLid) =>
        SameUser(Phone ?? Received, ownPhone) || SameUser(Lid ?? Received, ownLid);

    /// <summary>Both names of <paramref name="jid"/>, from <paramref name="lidToPhone"/> (this stanza's pairs) or the store.</summary>
    public static async Task<UserIdentity> ResolveAsync(Jid jid, IReadOnlyDictionary<string, string> lidToPhone, ISignalStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jid);
        ArgumentNullException.ThrowIfNull(store);
        if (jid.Server == JidServer.Lid)
        {
            var phoneUser = lidToPhone.TryGetValue(jid.User, out var known) ? known : await store.GetPhoneUserAsync(jid.User, cancellationToken);
            return new UserIdentity(jid, jid, phoneUser is null ? null : new Jid(phoneUser, JidServer.WhatsApp, jid.Device));
        }

        if (jid.Server == JidServer.WhatsApp && jid.Agent == 0)
        {
            var lidUser = lidToPhone.FirstOrDefault(p => p.Value == jid.User).Key ?? await store.GetLidUserAsync(jid.User, cancellationToken);
            return new UserIdentity(jid, lidUser is null ? null : new Jid(lidUser, JidServer.Lid, jid.Device), jid);
        }

        return new UserIdentity(jid, null, null);
    }

    /// <summary><paramref name="jid"/> without its device.</summary>
    public static Jid ToUser(Jid jid)
    {
        ArgumentNullException.ThrowIfNull(jid);
        return jid.Device is null ? jid : new Jid(jid.User, jid.Server);
    }

    private static bool SameUser(Jid a, Jid? b) => b is not null && a.User == b.User && a.Server == b.Server;
}
