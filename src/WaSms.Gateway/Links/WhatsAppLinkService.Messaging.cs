using System.Globalization;
using WaSms.Gateway.Messaging;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Socket;

namespace WaSms.Gateway.Links;

/// <summary>
/// The link's messaging side: the client is built on the gateway's Signal and message stores (so
/// messages and ratchet steps commit in the SQLite database), and the messaging API reaches the
/// current client through <see cref="IOutboxWaker"/> and <see cref="IGroupDirectory"/>.
/// </summary>
public sealed partial class WhatsAppLinkService : IOutboxWaker, IGroupDirectory
{
    private WaClientOptions CreateClientOptions()
    {
        var parts = options.ClientVersion.Split('.').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new WaClientOptions
        {
            ServerUri = new Uri(options.ServerUrl),
            Trust = CertificateTrust.FromHex(options.TrustedRootKey),
            ClientVersion = new Version(parts[0], parts[1], parts[2]),
            Time = time,
            Logger = log, // slow-handler and background-task warnings reach the journal
            SignalStore = signalStore,
            MessageStore = messageStore,
        };
    }

    /// <summary>
    /// A job was queued. The client's outbox (WaClient.WakeOutbox, issue 11's send side) is not in this
    /// branch yet: until it is merged, queued jobs wait for the client's own drain.
    /// </summary>
    public void WakeOutbox()
    {
        // Merge point: Volatile.Read(ref _client)?.WakeOutbox();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JoinedGroup>> GetJoinedGroupsAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _client) is null || machine.Current.State != Core.State.GatewayState.Online)
        {
            throw new InvalidOperationException($"groups can be listed only while online; the gateway is {machine.Current.StateName}: {machine.Current.Reason}");
        }
        // Merge point: (await client.GetJoinedGroupsAsync(ct)).Select(g => new JoinedGroup(g.Jid.ToString(), g.Subject, g.ParticipantCount, g.AddressingMode)).
        throw new InvalidOperationException("this build's WhatsApp client cannot list groups yet");
    }
}
