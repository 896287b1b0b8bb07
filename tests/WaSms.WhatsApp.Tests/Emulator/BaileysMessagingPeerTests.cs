using WaSms.Emulators.WhatsApp;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Emulator;

/// <summary>
/// Cross-implementation: a real baileys@7.0.0-rc14 client (Emulator/message-peer.mjs, libsignal-node
/// underneath) links to the emulator as a companion of Alice's number and exchanges texts with the
/// emulated contact Bob, whose phone runs our Signal code: 1:1 both ways (the first message a pkmsg
/// each way), delivery receipts back to Baileys, and the group "Team" both ways with sender keys.
/// Needs node and the oracle's npm install; not run with WASMS_SKIP_ORACLES=1.
/// </summary>
public sealed class BaileysMessagingPeerTests(ITestOutputHelper output)
{
    private const string Alice = "15555550100";
    private const string Bob = "15555550101";

    [Fact]
    public async Task BaileysRc14_AsAlicesCompanion_ExchangesTextsWithAnEmulatedContact_OneToOneAndInAGroup()
    {
        if (BaileysMessagePeer.NotRunHere(output))
        {
            return;
        }

        await using var emulator = new WaEmulator();
        emulator.Start();
        emulator.Contacts.AddDevDefaults("15550600000");
        emulator.Contacts.AccountNumber = Alice; // Bob talks to Alice, whose companion Baileys is
        var team = Assert.Single(emulator.Contacts.Groups);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var (peer, device) = await BaileysMessagePeer.LinkAsync(emulator, Alice, output, cts.Token);
        await using var _ = peer;

        // Bob → Alice: Baileys decrypts our pkmsg.
        var fromBob = await emulator.Contacts.SayAsync("+" + Bob, "hello baileys", cts.Token);
        var received = await peer.WaitForAsync(l => l.StartsWith("MSG ", StringComparison.Ordinal), cts.Token);
        Assert.EndsWith($" {fromBob} hello baileys", received);

        // Alice's companion → Bob: Bob's phone decrypts Baileys' pkmsg, the delivery receipt reaches Baileys.
        await peer.SendAsync($"SEND {Bob}@s.whatsapp.net hi bob");
        var sentId = (await peer.WaitForAsync(l => l.StartsWith("SENT ", StringComparison.Ordinal) || l.StartsWith("ERROR ", StringComparison.Ordinal), cts.Token))[5..];
        Assert.Contains(await WaitForInboxAsync(emulator, "+" + Bob, m => m.Text == "hi bob", cts.Token), m => m.Id == sentId && m.From == "+" + Alice);
        await peer.WaitForAsync(l => l.StartsWith($"STATUS {sentId} ", StringComparison.Ordinal) && int.Parse(l.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture) >= 3, cts.Token);

        // The group, both ways: Baileys' sender key read by our code, ours by libsignal.
        await peer.SendAsync($"SEND {team.Jid} hi team");
        await WaitForInboxAsync(emulator, "+" + Bob, m => m.Text == "hi team" && m.Chat == team.Jid, cts.Token);
        var groupId = await emulator.Contacts.GroupSayAsync("Team", "+" + Bob, "team reply", cts.Token);
        var groupLine = await peer.WaitForAsync(l => l.StartsWith($"MSG {team.Jid} ", StringComparison.Ordinal), cts.Token);
        Assert.EndsWith($" {groupId} team reply", groupLine);

        // A message while Baileys is away waits in its device's queue and arrives after the next login.
        await peer.SendAsync("OFFLINE");
        await peer.WaitForAsync(l => l == "OFFLINE", cts.Token);
        var whileAway = await emulator.Contacts.SayAsync("+" + Bob, "while you were away", cts.Token);
        Assert.Equal(1, emulator.QueuedFor(device.Jid));
        await peer.SendAsync("ONLINE");
        await peer.WaitForAsync(l => l == "REOPEN", cts.Token);
        Assert.EndsWith($" {whileAway} while you were away", await peer.WaitForAsync(l => l.StartsWith("MSG ", StringComparison.Ordinal) && l.Contains($" {whileAway} ", StringComparison.Ordinal), cts.Token));

        await peer.SendAsync("QUIT");
    }

    private static async Task<IReadOnlyList<Emulators.WhatsApp.Contacts.EmulatedInboxMessage>> WaitForInboxAsync(
        WaEmulator emulator, string contact, Func<Emulators.WhatsApp.Contacts.EmulatedInboxMessage, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            var inbox = emulator.Contacts.Inbox(contact);
            if (inbox.Any(match))
            {
                return inbox;
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
