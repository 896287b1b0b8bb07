using System.Diagnostics;
using System.Text.Json;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// The real path, as a customer's phone would take it: the gateway process shows a QR on its
/// (simulated) screen, zbarimg reads it from the PNG, the emulated phone scans it, the gateway goes
/// online; restarted, it logs in again without a new QR. The gateway is pointed at the emulator by
/// WhatsApp:ServerUrl and WhatsApp:TrustedRootKey alone, as it would be at any compatible server.
/// </summary>
public sealed class WhatsAppEndToEndTests(ITestOutputHelper testOutput) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string? Zbar(string png)
    {
        var psi = new ProcessStartInfo("zbarimg", ["-q", "--raw", png]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var text = process.StandardOutput.ReadToEnd().TrimEnd('\n');
        process.WaitForExit();
        return process.ExitCode == 0 && text.Length > 0 ? text : null;
    }

    [Fact]
    public async Task QrFromTheScreen_ScannedByThePhone_GoesOnlineAndLogsInAgainAfterRestart()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var phone = new PhoneSimulator(emulator, "15557654321");
        var state = _dir.File("state");
        var deviceJid = "";
        string[] args = ["run", "--simulate", "--state-dir", state,
            $"--WhatsApp:ServerUrl={emulator.Uri}", $"--WhatsApp:TrustedRootKey={emulator.TrustedRootKeyHex}"];

        using (var notify = new NotifyListener())
        using (var gateway = GatewayProcess.Start(args, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path }, testOutput: testOutput))
        {
            await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));
            var png = Path.Combine(state, "display", "current.png");
            var qr = await Eventually.ValueAsync(() => File.Exists(png) ? Zbar(png) : null, Eventually.DefaultTimeout, $"a readable QR code in {png}");

            var device = await phone.ScanAsync(qr, CancellationToken.None);
            deviceJid = device.Jid.ToString();

            await notify.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(20));
            var (_, output, _) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", state]);
            using var json = JsonDocument.Parse(output);
            Assert.Equal("online", json.RootElement.GetProperty("state").GetString());
            Assert.Equal(device.Jid.ToString(), json.RootElement.GetProperty("account").GetProperty("jid").GetString());
            Assert.Equal(device.Lid.ToString(), json.RootElement.GetProperty("account").GetProperty("lid").GetString());
            gateway.Signal("TERM");
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        }

        using (var notify = new NotifyListener())
        using (var gateway = GatewayProcess.Start(args, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path }, testOutput: testOutput))
        {
            await notify.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(notify.All, m => m.Contains("Scan the QR", StringComparison.Ordinal));

            // Relink: the gateway logs out (the phone's linked-devices list loses it), wipes, shows a new QR.
            Assert.Contains(emulator.Devices, d => d.Jid.ToString() == deviceJid);
            var reset = await GatewayProcess.RunAsync(["reset", "--state-dir", state]);
            Assert.True(reset.ExitCode == 0, reset.Error);
            await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(emulator.Devices, d => d.Jid.ToString() == deviceJid);
            gateway.Signal("TERM");
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        }
    }
}
