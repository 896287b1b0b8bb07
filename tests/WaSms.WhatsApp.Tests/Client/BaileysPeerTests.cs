using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Tests.Binary;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>
/// Cross-implementation: a real baileys@7.0.0-rc14 client (Binary/baileys-oracle/pair-peer.mjs)
/// pairs with our emulator by QR, follows 515 and logs in. Needs node and the oracle's npm install
/// (its install.sh); skipped with WASMS_SKIP_ORACLES=1, as the codec oracle is.
/// </summary>
public sealed class BaileysPeerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BaileysRc14_PairsWithTheEmulatorAndLogsIn()
    {
        if (Environment.GetEnvironmentVariable("WASMS_SKIP_ORACLES") == "1")
        {
            output.WriteLine("Baileys peer not run: WASMS_SKIP_ORACLES=1.");
            return;
        }

        var directory = Path.Combine(TestFiles.ProjectDirectory(), "Binary", "baileys-oracle");
        Assert.True(File.Exists(Path.Combine(directory, "node_modules", "baileys", "package.json")), $"Run {Path.Combine(directory, "install.sh")} first, or set WASMS_SKIP_ORACLES=1.");

        await using var emulator = new WaEmulator();
        emulator.Start();
        var phone = new PhoneSimulator(emulator, "15550002222");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        EmulatedDevice? device = null;
        var open = await BaileysLivePeer.RunUntilOpenAsync(
            Path.Combine(directory, "pair-peer.mjs"), [emulator.Uri.ToString(), emulator.TrustedRootKeyHex],
            async line =>
            {
                if (line.StartsWith("QR ", StringComparison.Ordinal) && device is null)
                {
                    Assert.Equal(5, line[3..].Split(',').Length);
                    device = await phone.ScanAsync(line[3..], cts.Token);
                }
            },
            output, cts.Token);

        Assert.NotNull(device);
        Assert.Equal($"OPEN {device.Jid} {device.Lid}", open);
        Assert.Equal(2, emulator.HandshakeCount);
        // Baileys' prekey upload passed the emulator's checks (the same ones our client's upload meets),
        // and it went active before "open", as ours does before Connected.
        Assert.Equal(PreKeyUpload.InitialCount, emulator.PreKeyCount(device.Jid));
        Assert.True(emulator.IsActive(device.Jid));
    }
}
