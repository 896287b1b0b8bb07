using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging.Groups;
using WaSms.WhatsApp.Messaging.Usync;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// A stanza ready to write and the Signal state its encryption produced (to commit first), the devices
/// its phash covers, and what to remember once the server acked it.
/// </summary>
internal sealed record PreparedSend(Node Stanza, SignalChanges Changes, string Phash, Jid Chat, Action? OnAcked);

/// <summary>What the send builders share: the stores and caches of the client.</summary>
/// <param name="SignalLock">
/// Held from loading Signal records to committing them (and writing the stanza), so two operations on
/// the same session never save over each other's ratchet step (whatsmeow: <c>messageSendLock</c>); never
/// held across a query to the server.
/// </param>
internal sealed record SendContext(
    SemaphoreSlim SignalLock,
    ISignalStore Signal,
    DeviceDirectory Devices,
    GroupMetadataCache Groups,
    SenderKeyHolders Holders,
    ILogger Logger)
{
    public PairwiseEncryptor Encryptor(OwnDevice own) => new(Signal, own.Signal, Logger);
}
