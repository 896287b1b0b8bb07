using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Emulator;
using WaSms.WhatsApp.Tests.Support;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Interop;

/// <summary>
/// Issue 11's interop proof: OUR <see cref="WaClient"/> linked as a companion of the gateway's account
/// and a real baileys@7.0.0-rc14 client (Emulator/message-peer.mjs, libsignal-node underneath) linked
/// as Alice's companion, on one emulator, exchange texts both ways — 1:1 (the first message a pkmsg
/// each way, delivery and read receipts), in a group (sender keys each way), and across an offline
/// stretch of either side. Needs node and the oracle's npm install; not run with WASMS_SKIP_ORACLES=1.
/// </summary>
public sealed class BaileysGatewayInteropTests(ITestOutputHelper output)
{
    private const string Gateway = "15550600000";
    private const string Alice = "15555550100";

    // waproto WebMessageInfo.Status, as Baileys' messages.update reports it.
    private const int DeliveryAck = 3;

    [Fact]
    public async Task GatewayClientAndBaileysRc14_ExchangeTexts_OneToOne_InAGroup_AndAcrossOfflineStretches()
    {
        if (BaileysMessagePeer.NotRunHere(output))
        {
            return;
        }

        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        emulator.Contacts.AddDevDefaults(Gateway);
        var team = Assert.Single(emulator.Contacts.Groups).Jid;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var gateway = new GatewayStores(emulator);
        var ours = harness.NewClient(gateway.Credentials, gateway.PreKeys, gateway.Options, TimeSpan.FromSeconds(90)).Start();
        var ourDevice = await ours.LinkAsync(harness.Phone(Gateway));
        await ours.Events.WaitForAsync<PreKeysUploaded>(_ => true); // it may come before Connected
        var (peer, aliceDevice) = await BaileysMessagePeer.LinkAsync(emulator, Alice, output, cts.Token);
        await using var _ = peer;
        bool FromOurDevice(string line) => line.Split(' ')[2] == ourDevice.Jid.ToString() || line.Split(' ')[2] == ourDevice.Lid.ToString();

        // (1) Baileys → gateway, 1:1: the first message of a new session (a pkmsg) is decrypted and
        // stored, and Baileys gets our device's delivery receipt.
        var hello = await SentByPeerAsync(peer, $"SEND {Gateway}@s.whatsapp.net hello gateway", cts.Token);
        Assert.All(EncTypes(await peer.WaitForAsync(l => l.StartsWith($"ENCOUT {hello} ", StringComparison.Ordinal), cts.Token)), t => Assert.Equal("pkmsg", t));
        var stored = (await ours.Events.WaitForAsync<MessageReceived>(e => e.Message.Id == hello)).Message;
        Assert.Equal(("hello gateway", false, null), (stored.Text, stored.FromMe, stored.Error));
        Assert.Equal(1, await InboundEventsAsync(gateway.Messages, hello, cts.Token));
        await peer.WaitForAsync(l => l.StartsWith($"RECEIPT {hello} ", StringComparison.Ordinal) && FromOurDevice(l), cts.Token);

        // (2) gateway → Baileys, 1:1: libsignal-node decrypts our answer on the session its pkmsg started
        // (a responder never sends a pkmsg itself); the job goes Pending → Sent → Delivered, and
        // Baileys' read receipt makes it Read.
        var job = await gateway.Messages.EnqueueOutboundAsync(null, $"{Alice}@s.whatsapp.net", "hi alice", cts.Token);
        Assert.Equal(MessageStatus.Pending, job.Status);
        ours.Client.WakeOutbox();
        Assert.EndsWith($" {job.MessageId} hi alice", await peer.WaitForAsync(l => l.StartsWith("MSG ", StringComparison.Ordinal) && l.Contains($" {job.MessageId} ", StringComparison.Ordinal), cts.Token));
        Assert.Equal(["msg"], EncTypes(await peer.WaitForAsync(l => l.StartsWith($"ENC {job.MessageId} ", StringComparison.Ordinal), cts.Token)));
        await StatusAsync(ours, job.MessageId, MessageStatus.Sent);
        await StatusAsync(ours, job.MessageId, MessageStatus.Delivered);
        await peer.SendAsync($"READ {job.MessageId}");
        await StatusAsync(ours, job.MessageId, MessageStatus.Read);
        Assert.Equal(MessageStatus.Read, (await gateway.Messages.GetOutboundAsync(job.MessageId, cts.Token))!.Status);

        // (3) The group Team (Alice, Bob, the gateway): Baileys' sender key (SKDM + skmsg) read by our
        // client, ours by Baileys.
        var groupHello = await SentByPeerAsync(peer, $"SEND {team} hi team", cts.Token);
        Assert.Contains("skmsg", EncTypes(await peer.WaitForAsync(l => l.StartsWith($"ENCOUT {groupHello} ", StringComparison.Ordinal), cts.Token)));
        var groupStored = (await ours.Events.WaitForAsync<MessageReceived>(e => e.Message.Id == groupHello)).Message;
        Assert.Equal((team, "hi team", null), (groupStored.Chat, groupStored.Text, groupStored.Error));
        var groupJob = await gateway.Messages.EnqueueOutboundAsync(null, team, "team, from the gateway", cts.Token);
        ours.Client.WakeOutbox();
        Assert.EndsWith($" {groupJob.MessageId} team, from the gateway", await peer.WaitForAsync(l => l.StartsWith($"MSG {team} ", StringComparison.Ordinal) && l.Contains($" {groupJob.MessageId} ", StringComparison.Ordinal), cts.Token));
        Assert.Contains("skmsg", EncTypes(await peer.WaitForAsync(l => l.StartsWith($"ENC {groupJob.MessageId} ", StringComparison.Ordinal), cts.Token)));
        await StatusAsync(ours, groupJob.MessageId, MessageStatus.Sent);

        // (4a) Our client offline: the message waits in our device's queue; a new client on the same
        // stores gets it from the offline backlog (before the end-of-offline marker), once.
        await ours.StopAsync();
        var whileAway = await SentByPeerAsync(peer, $"SEND {Gateway}@s.whatsapp.net while the gateway was away", cts.Token);
        while (emulator.QueuedFor(ourDevice.Jid) == 0)
        {
            await Task.Delay(20, cts.Token);
        }

        var back = harness.NewClient(gateway.Credentials, gateway.PreKeys, gateway.Options, TimeSpan.FromSeconds(60)).Start();
        var offline = await back.Events.WaitForAsync<MessageReceived>(e => e.Message.Id == whileAway);
        Assert.Equal("while the gateway was away", offline.Message.Text);
        await back.Events.WaitForAsync<OfflineSyncCompleted>();
        var all = back.Events.All;
        Assert.True(IndexOf(all, e => e is MessageReceived r && r.Message.Id == whileAway) < IndexOf(all, e => e is OfflineSyncCompleted), "the queued message came after the end-of-offline marker");
        Assert.Single(all, e => e is MessageReceived r && r.Message.Id == whileAway);
        Assert.Equal(1, await InboundEventsAsync(gateway.Messages, whileAway, cts.Token));
        Assert.Equal(0, emulator.QueuedFor(ourDevice.Jid));

        // (4b) Baileys offline: our message is acked by the server and waits in its device's queue; it
        // arrives when Baileys logs in again.
        await peer.SendAsync("OFFLINE");
        await peer.WaitForAsync(l => l == "OFFLINE", cts.Token);
        var queuedJob = await gateway.Messages.EnqueueOutboundAsync(null, $"{Alice}@s.whatsapp.net", "while baileys was away", cts.Token);
        back.Client.WakeOutbox();
        await StatusAsync(back, queuedJob.MessageId, MessageStatus.Sent);
        while (emulator.QueuedFor(aliceDevice.Jid) == 0)
        {
            await Task.Delay(20, cts.Token);
        }

        await peer.SendAsync("ONLINE");
        await peer.WaitForAsync(l => l == "REOPEN", cts.Token);
        Assert.EndsWith($" {queuedJob.MessageId} while baileys was away", await peer.WaitForAsync(l => l.StartsWith("MSG ", StringComparison.Ordinal) && l.Contains($" {queuedJob.MessageId} ", StringComparison.Ordinal), cts.Token));

        await peer.SendAsync("QUIT");
    }

    /// <summary>Tells the peer to send and returns the message id it printed.</summary>
    private static async Task<string> SentByPeerAsync(BaileysMessagePeer peer, string command, CancellationToken cancellationToken)
    {
        await peer.SendAsync(command);
        return (await peer.TakeAsync(l => l.StartsWith("SENT ", StringComparison.Ordinal), cancellationToken))[5..];
    }

    /// <summary>The enc types of an "ENC"/"ENCOUT &lt;id&gt; &lt;type,...&gt;" line.</summary>
    private static string[] EncTypes(string line) => line.Split(' ')[2].Split(',');

    private static Task<MessageStatusChanged> StatusAsync(HarnessClient client, string messageId, MessageStatus status) =>
        client.Events.WaitForAsync<MessageStatusChanged>(e => e.Change.MessageId == messageId && e.Change.Status == status);

    /// <summary>How many inbound events of message <paramref name="id"/> the store's event stream holds.</summary>
    private static async Task<int> InboundEventsAsync(InMemoryMessageStore store, string id, CancellationToken cancellationToken) =>
        (await store.ReadEventsAsync(0, 1000, cancellationToken)).Count(e => e.Message?.Id == id);

    private static int IndexOf(IReadOnlyList<WaEvent> events, Func<WaEvent, bool> match)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (match(events[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The gateway's stores, kept across a client restart (as the gateway keeps its SQLite file).</summary>
    private sealed class GatewayStores
    {
        public GatewayStores(WaEmulator emulator)
        {
            Signal = new InMemorySignalStore(PreKeys);
            Messages = new InMemoryMessageStore(Signal, TimeProvider.System);
            Options = new WaClientOptions
            {
                ServerUri = emulator.Uri,
                Trust = CertificateTrust.FromHex(emulator.TrustedRootKeyHex),
                PushName = "Gateway",
                SignalStore = Signal,
                MessageStore = Messages,
            };
        }

        public InMemoryCredentialStore Credentials { get; } = new();

        public InMemoryPreKeyStore PreKeys { get; } = new();

        public InMemorySignalStore Signal { get; }

        public InMemoryMessageStore Messages { get; }

        public WaClientOptions Options { get; }
    }
}
