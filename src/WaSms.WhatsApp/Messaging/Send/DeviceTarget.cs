using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// One device to encrypt for: the JID written in <c>&lt;to jid&gt;</c> (as the device list named it), the
/// Signal address its session is kept under and the JID its prekeys are fetched by — both the LID form
/// when the LID of a phone-number device is known, as whatsmeow keys sessions and Baileys rc14 fetches
/// prekeys (docs/protocol/messaging.md §1), the same keying the receive side uses (<see cref="UserIdentity"/>) —
/// and the plaintext it gets (unpadded <c>waE2E.Message</c>).
/// </summary>
/// <param name="Legacy">The phone-number address of a LID-keyed device (both known): where its session was kept before the LID was known.</param>
internal sealed record DeviceTarget(Jid Device, SignalAddress Address, Jid KeyJid, byte[] Message, SignalAddress? Legacy = null)
{
    /// <summary>
    /// The target for <paramref name="device"/>, mapped to its LID when <paramref name="changes"/> (pairs
    /// learned earlier in this send) or the store knows it.
    /// </summary>
    public static async Task<DeviceTarget> ForAsync(Jid device, byte[] message, SignalChanges changes, ISignalStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var identity = await UserIdentity.ResolveAsync(device, changes.LidMappings, store, cancellationToken);
        var keyJid = identity.Lid ?? device;
        return new DeviceTarget(device, SignalAddress.FromJid(keyJid), keyJid, message, identity.LegacyAddress);
    }
}
