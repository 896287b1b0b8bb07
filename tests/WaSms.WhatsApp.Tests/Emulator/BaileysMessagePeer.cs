using System.Diagnostics;
using System.Threading.Channels;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Tests.Binary;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Emulator;

/// <summary>
/// A running Emulator/message-peer.mjs (Baileys rc14 as a messaging peer): its output lines, and its
/// standard input for commands. Shared by the emulated-contact and the gateway interop tests.
/// </summary>
internal sealed class BaileysMessagePeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly HashSet<int> _taken = [];
    private readonly ITestOutputHelper _output;
    private readonly Task _reading;
    private readonly Task<string> _stderr;

    private BaileysMessagePeer(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
        _stderr = process.StandardError.ReadToEndAsync();
        _reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                // Only the peer's own protocol lines: libsignal-node prints whole sessions (key bytes) when it closes one.
                if (System.Text.RegularExpressions.Regex.IsMatch(line, "^(QR|OPEN|REOPEN|OFFLINE|MSG|SENT|STATUS|READ|ENC|ENCOUT|RECEIPT|CLOSE|ERROR|TIMEOUT)\\b"))
                {
                    output.WriteLine(line);
                }

                _lines.Writer.TryWrite(line);
            }

            _lines.Writer.TryComplete();
        });
    }

    /// <summary>True (after saying so) when WASMS_SKIP_ORACLES=1; fails when the oracle's npm install is missing.</summary>
    public static bool NotRunHere(ITestOutputHelper output)
    {
        if (Environment.GetEnvironmentVariable("WASMS_SKIP_ORACLES") == "1")
        {
            output.WriteLine("Baileys peer not run: WASMS_SKIP_ORACLES=1.");
            return true;
        }

        var oracle = Path.Combine(TestFiles.ProjectDirectory(), "Binary", "baileys-oracle");
        Assert.True(File.Exists(Path.Combine(oracle, "node_modules", "baileys", "package.json")), $"Run {Path.Combine(oracle, "install.sh")} first, or set WASMS_SKIP_ORACLES=1.");
        return false;
    }

    /// <summary>
    /// Starts the peer, lets <paramref name="number"/>'s emulated phone scan its QR, and waits until it
    /// is open and its prekeys are on the emulator (a sender without its bundle would skip its device).
    /// </summary>
    public static async Task<(BaileysMessagePeer Peer, EmulatedDevice Device)> LinkAsync(WaEmulator emulator, string number, ITestOutputHelper output, CancellationToken cancellationToken)
    {
        var peer = Start(Path.Combine(TestFiles.ProjectDirectory(), "Emulator", "message-peer.mjs"), [emulator.Uri.ToString(), emulator.TrustedRootKeyHex], output);
        try
        {
            var qr = await peer.WaitForAsync(l => l.StartsWith("QR ", StringComparison.Ordinal), cancellationToken);
            var device = await new PhoneSimulator(emulator, number).ScanAsync(qr[3..], cancellationToken);
            Assert.StartsWith($"OPEN {device.Jid}", await peer.WaitForAsync(l => l.StartsWith("OPEN ", StringComparison.Ordinal), cancellationToken));
            while (emulator.PreKeyCount(device.Jid) == 0)
            {
                await Task.Delay(50, cancellationToken);
            }

            return (peer, device);
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    public static BaileysMessagePeer Start(string script, IEnumerable<string> arguments, ITestOutputHelper output)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Path.GetDirectoryName(script)!, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new BaileysMessagePeer(Process.Start(start)!, output);
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
    public Task<string> WaitForAsync(Func<string, bool> match, CancellationToken cancellationToken) =>
        FindAsync(match, take: false, cancellationToken);

    /// <summary>Like <see cref="WaitForAsync"/>, but skips lines an earlier take returned (e.g. each "SENT" once).</summary>
    public Task<string> TakeAsync(Func<string, bool> match, CancellationToken cancellationToken) =>
        FindAsync(match, take: true, cancellationToken);

    private async Task<string> FindAsync(Func<string, bool> match, bool take, CancellationToken cancellationToken)
    {
        while (true)
        {
            for (var i = 0; i < _seen.Count; i++)
            {
                var line = _seen[i];
                Assert.False(line.StartsWith("ERROR ", StringComparison.Ordinal) || line.StartsWith("TIMEOUT", StringComparison.Ordinal), line);
                if (match(line) && !(take && _taken.Contains(i)))
                {
                    if (take)
                    {
                        _taken.Add(i);
                    }

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
