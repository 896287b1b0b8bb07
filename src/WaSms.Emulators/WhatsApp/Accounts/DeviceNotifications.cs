using System.Globalization;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// The pushes that follow a device linking or unlinking (docs/protocol/messaging.md §10): every
/// other account gets <c>&lt;notification type="devices" from=&lt;user&gt; lid=&lt;LID user&gt;&gt;&lt;add|remove
/// device_hash device_lid_hash&gt;&lt;device jid lid/&gt;</c>, the hashes being the participant hash of the
/// user's device list after the change (whatsmeow notification.go handleDeviceNotification checks
/// them that way); the account's own devices get <c>account_sync</c> with the whole list and its
/// <c>dhash</c> (handleOwnDevicesNotification).
/// </summary>
internal static class DeviceNotifications
{
    public static async Task SendAsync(AccountDirectory accounts, ServerDevice changed, bool added, Func<string> nextId, long now, CancellationToken cancellationToken)
    {
        var account = changed.Account;
        var t = now.ToString(CultureInfo.InvariantCulture);
        var devices = account.Devices;
        var change = NodeHelpers.Make(
            added ? "add" : "remove",
            [("device_hash", ParticipantHash.Of(devices.Select(d => d.Pn))), ("device_lid_hash", ParticipantHash.Of(devices.Select(d => d.Lid)))],
            NodeHelpers.Make("device", ("jid", changed.Pn), ("lid", changed.Lid)));
        foreach (var other in accounts.All.Where(a => a != account))
        {
            foreach (var device in other.Devices)
            {
                await device.Mailbox.DeliverAsync(
                    NodeHelpers.Make("notification", [("from", account.Pn), ("lid", account.Lid), ("type", "devices"), ("id", nextId()), ("t", t)], change),
                    cancellationToken);
            }
        }

        var list = NodeHelpers.Make(
            "devices",
            [("dhash", ParticipantHash.Of(devices.Select(d => d.Pn)))],
            [.. devices.Select(d => d.Id == 0
                ? NodeHelpers.Make("device", ("jid", d.Pn))
                : NodeHelpers.Make("device", ("jid", d.Pn), ("key-index", d.Id.ToString(CultureInfo.InvariantCulture))))]);
        foreach (var own in devices.Where(d => d != changed))
        {
            await own.Mailbox.DeliverAsync(
                NodeHelpers.Make("notification", [("from", account.Pn), ("type", "account_sync"), ("id", nextId()), ("t", t)], list),
                cancellationToken);
        }
    }
}
