using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Proto.E2E;

namespace WaSms.Emulators.WhatsApp.Contacts;

/// <summary>
/// The phone's history-sync notification to its linked devices (docs/protocol/messaging.md §10b): a
/// peer message carrying <c>protocolMessage.historySyncNotification</c> without a blob (the emulator
/// serves no media), and the <c>hist_sync</c> receipts that answer it, kept for tests to read.
/// </summary>
internal sealed partial class PlayedPhone
{
    private readonly HashSet<string> _historySynced = new(StringComparer.Ordinal);

    /// <summary>Sends a history-sync notification to every linked device of this account; returns its id.</summary>
    public async Task<string> SendHistorySyncNotificationAsync(CancellationToken cancellationToken)
    {
        var id = MessageContent.NewId();
        var notification = new Message
        {
            ProtocolMessage = new ProtocolMessage
            {
                Type = ProtocolMessage.Types.Type.HistorySyncNotification,
                HistorySyncNotification = new HistorySyncNotification
                {
                    SyncType = HistorySyncNotification.Types.HistorySyncType.InitialBootstrap,
                    ChunkOrder = 1,
                    Progress = 100,
                },
            },
        };
        var participants = new List<Node>();
        foreach (var device in Account.Devices.Where(d => d != Device))
        {
            if (await EncryptForAsync(device, notification, cancellationToken) is { } enc)
            {
                participants.Add(NodeHelpers.Make("to", [("jid", device.In(false))], enc));
            }
        }

        // category="peer": a message between one account's own devices (§4, §12.1 emulator choice for this one).
        var stanza = NodeHelpers.Make("message", [("id", id), ("to", Account.User(false)), ("type", "text"), ("category", "peer")],
            NodeHelpers.Make("participants", [], [.. participants]));
        await _emulator.Messages.OnMessageAsync(Device, stanza, cancellationToken);
        return id;
    }

    /// <summary>True once a linked device answered notification <paramref name="id"/> with its <c>hist_sync</c> receipt.</summary>
    public bool HistorySyncAcknowledged(string id)
    {
        lock (_inboxGate)
        {
            return _historySynced.Contains(id);
        }
    }

    private void OnHistorySyncReceipt(Node receipt)
    {
        lock (_inboxGate)
        {
            _historySynced.Add(receipt.Attr("id") ?? string.Empty);
        }
    }
}
