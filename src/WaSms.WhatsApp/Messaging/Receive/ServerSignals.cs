using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// The server's signals around messaging (docs/protocol/messaging.md §10): the end of the offline
/// backlog, the offline preview, and the <c>encrypt</c> (identity change) and <c>devices</c>
/// notifications. The notification itself is acked by the connection before it gets here.
/// </summary>
internal sealed class ServerSignals(ReceiveContext context, Func<DevicesChanged, Task> onDevicesChanged)
{
    /// <summary>Device ids are one byte on the wire (AD_JID), so these are all a user can have.</summary>
    private const int DeviceIds = 256;

    /// <summary>
    /// <c>&lt;ib&gt;</c>: <c>&lt;offline count/&gt;</c> raises <see cref="OfflineSyncCompleted"/> — the inbound
    /// queue is ordered and handlers run one at a time, so every stanza of the backlog has been handled;
    /// <c>&lt;offline_preview/&gt;</c> is answered with <c>&lt;offline_batch count="100"/&gt;</c> as Baileys does.
    /// </summary>
    public async Task HandleIbAsync(Node ib, CancellationToken cancellationToken)
    {
        foreach (var child in ib.Children)
        {
            if (child.Tag == "offline")
            {
                child.TryIntAttr("count", out var count);
                context.Raise(new OfflineSyncCompleted(count));
            }
            else if (child.Tag == "offline_preview")
            {
                await context.Send(NodeHelpers.Make("ib", [], NodeHelpers.Make("offline_batch", ("count", "100"))), cancellationToken);
            }
        }
    }

    /// <summary>Routes an <c>encrypt</c> or <c>devices</c> notification; other types are not this class's.</summary>
    public async Task HandleNotificationAsync(Node notification, CancellationToken cancellationToken)
    {
        var type = notification.Attr("type");
        var from = notification.JidAttr("from");
        if (from is null || from.User.Length == 0)
        {
            return;
        }

        if (type == "encrypt" && notification.TryGetChild("identity", out _))
        {
            await ForgetSessionsAsync(from, cancellationToken);
        }
        else if (type == "devices")
        {
            await HandleDevicesAsync(notification, from, cancellationToken);
        }
    }

    /// <summary>
    /// The user re-registered (new identity key): every session with its devices is deleted, under both
    /// names, as whatsmeow does; the next message from it is a <c>pkmsg</c> that sets up a new one.
    /// </summary>
    private async Task ForgetSessionsAsync(Jid user, CancellationToken cancellationToken)
    {
        var changes = new SignalChanges();
        var identity = await UserIdentity.ResolveAsync(UserIdentity.ToUser(user), changes.LidMappings, context.Signal, cancellationToken);
        var addresses = new List<SignalAddress>();
        foreach (var name in new[] { identity.Lid, identity.Phone, identity.Received }.OfType<Jid>().Select(j => SignalAddress.FromJid(j).Name).Distinct())
        {
            addresses.AddRange(Enumerable.Range(0, DeviceIds).Select(d => new SignalAddress(name, (uint)d)));
        }

        var existing = await context.Signal.LoadSessionsAsync(addresses, cancellationToken);
        foreach (var address in existing.Keys)
        {
            changes.Sessions[address] = null;
        }

        context.Logger.LogInformation("{User} changed its identity: {Count} sessions deleted", user, existing.Count);
        await CommitAsync(changes, cancellationToken);
    }

    /// <summary>
    /// A device list changed: LID pairs are saved, sessions of removed devices deleted (Baileys), and
    /// <see cref="DevicesChanged"/> tells the device cache its list of that user is stale.
    /// </summary>
    private async Task HandleDevicesAsync(Node notification, Jid from, CancellationToken cancellationToken)
    {
        var changes = new SignalChanges();
        var lid = notification.JidAttr("lid");
        LidPairs.Add(changes.LidMappings, from, lid);
        foreach (var change in notification.Children)
        {
            foreach (var device in change.Children.Where(c => c.Tag == "device"))
            {
                var jid = device.JidAttr("jid");
                var deviceLid = device.JidAttr("lid");
                LidPairs.Add(changes.LidMappings, jid, deviceLid);
                if (change.Tag == "remove")
                {
                    foreach (var removed in new[] { jid, deviceLid }.OfType<Jid>())
                    {
                        changes.Sessions[SignalAddress.FromJid(removed)] = null;
                    }
                }
            }
        }

        await CommitAsync(changes, cancellationToken);
        var e = new DevicesChanged(UserIdentity.ToUser(from), lid is null ? null : UserIdentity.ToUser(lid));
        context.Raise(e);
        await onDevicesChanged(e);
    }

    private Task CommitAsync(SignalChanges changes, CancellationToken cancellationToken) =>
        changes.IsEmpty ? Task.CompletedTask : context.Signal.CommitAsync(changes, cancellationToken);
}
