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
internal sealed record SendContext(
    ISignalStore Signal,
    DeviceDirectory Devices,
    GroupMetadataCache Groups,
    SenderKeyHolders Holders,
    ILogger Logger)
{
    public PairwiseEncryptor Encryptor(OwnDevice own) => new(Signal, own.Signal, Logger);
}
