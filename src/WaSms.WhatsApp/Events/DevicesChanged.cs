using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Events;

/// <summary>
/// A <c>&lt;notification type="devices"&gt;</c> said <paramref name="User"/>'s device list changed
/// (docs/protocol/messaging.md §10): a cached device list of that user is stale.
/// </summary>
/// <param name="User">The user JID (no device) as the notification named it.</param>
/// <param name="Lid">The user's LID when the notification carried one.</param>
public sealed record DevicesChanged(Jid User, Jid? Lid) : WaEvent;
