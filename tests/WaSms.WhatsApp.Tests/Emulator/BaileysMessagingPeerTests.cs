using System.Diagnostics;
using System.Threading.Channels;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Tests.Binary;
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
        if (Environment.GetEnvironmentVariable("WASMS_SKIP_ORACLES") == "1")
        {
            output.WriteLine("Baileys peer not run: WASMS_SKIP_ORACLES=1.");
            return;
        }

        var oracle = Path.Combine(TestFiles.ProjectDirectory(), "Binary", "baileys-oracle");
        Assert.True(File.Exists(Path.Combine(oracle, "node_modules", "baileys", "package.json")), $"Run {Path.Combine(oracle, "install.sh")} first, or set WASMS_SKIP_ORACLES=1.");
        await using var emulator = new WaEmulator();
        emulator.Start();
        emulator.Contacts.AddDevDefaults("15550600000");
        emulator.Contacts.AccountNumber = Alice; // Bob talks to Alice, whose companion Baileys is
        var team = Assert.Single(emulator.Contacts.Groups);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var peer = Peer.Start(Path.Combine(TestFiles.ProjectDirectory(), "Emulator", "message-peer.mjs"), [emulator.Uri.ToString(), emulator.TrustedRootKeyHex], output);

        var qr = await peer.WaitForAsync(l => l.StartsWith("QR ", StringComparison.Ordinal), cts.Token);
        var device = await new PhoneSimulator(emulator, Alice).ScanAsync(qr[3..], cts.Token);
        Assert.StartsWith($"OPEN {device.Jid}", await peer.WaitForAsync(l => l.StartsWith("OPEN ", StringComparison.Ordinal), cts.Token));

        // Baileys uploads its prekeys around "open"; a sender without its bundle would skip its device.
        while (emulator.PreKeyCount(device.Jid) == 0)
        {
            await Task.Delay(50, cts.Token);
        }

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
        Assert.EndsWith($" {whileAway} while you were away", await peer.WaitForAsync(l => l.Contains($" {whileAway} ", StringComparison.Ordinal), cts.Token));

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

    /// <summary>The node process: its output lines, and its standard input for commands.</summary>
    private sealed class Peer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly List<string> _seen = [];
        private readonly ITestOutputHelper _output;
        private readonly Task _reading;
        private readonly Task<string> _stderr;

        private Peer(Process process, ITestOutputHelper output)
        {
            _process = process;
            _output = output;
            _stderr = process.StandardError.ReadToEndAsync();
            _reading = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    // Only the peer's own protocol lines: libsignal-node prints whole sessions (key bytes) when it closes one.
                    if (System.Text.RegularExpressions.Regex.IsMatch(line, "^(QR|OPEN|REOPEN|OFFLINE|MSG|SENT|STATUS|CLOSE|ERROR|TIMEOUT)\\b"))
                    {
                        output.WriteLine(line);
                    }

                    _lines.Writer.TryWrite(line);
                }

                _lines.Writer.TryComplete();
            });
        }

        public static Peer Start(string script, IEnumerable<string> arguments, ITestOutputHelper output)
        {
            var start = new ProcessStartInfo("node") { WorkingDirectory = Path.GetDirectoryName(script)!, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return new Peer(Process.Start(start)!, output);
        }

        public async Task SendAsync(string command)
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
        }

        /// <summary>
        /// The first line printed so far or later that matches (events may come in either order, e.g. a
        /// delivery status before Baileys' send resolves); fails on ERROR/TIMEOUT or when the peer exits first.
        /// </summary>
        public async Task<string> WaitForAsync(Func<string, bool> match, CancellationToken cancellationToken)
        {
            while (true)
            {
                foreach (var line in _seen)
                {
                    Assert.False(line.StartsWith("ERROR ", StringComparison.Ordinal) || line.StartsWith("TIMEOUT", StringComparison.Ordinal), line);
                    if (match(line))
                    {
                        return line;
                    }
                }

                if (!await _lines.Reader.WaitToReadAsync(cancellationToken))
                {
                    throw new Xunit.Sdk.XunitException("The Baileys peer ended before printing the expected line.");
                }

                while (_lines.Reader.TryRead(out var next))
                {
                    _seen.Add(next);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!_process.HasExited)
                {
                    _process.Kill();
                }
            }

            await _reading;
            var stderr = await _stderr;
            _output.WriteLine(stderr.Length > 2000 ? stderr[..2000] : stderr);
            _process.Dispose();
        }
    }
}
