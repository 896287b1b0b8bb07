using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Tests.Client;

namespace WaSms.WhatsApp.Tests.Pairing;

/// <summary>companion_reg_refresh: ack, new ADV secret persisted, same ref re-issued (docs/whatsapp.md §4.5).</summary>
public sealed class CompanionRegRefreshTests
{
    [Fact]
    public async Task Refresh_RotatesTheAdvSecretAndReissuesTheCurrentRef_ThenPairingWorks()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var store = new InMemoryCredentialStore();
        var client = new WaClient(new WaClientOptions { ServerUri = emulator.Uri, Trust = CertificateTrust.FromHex(emulator.TrustedRootKeyHex) }, store);
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = client.RunAsync(cts.Token);
        var first = await events.WaitForAsync<QrIssued>();

        Assert.Equal(1, await emulator.SendCompanionRegRefreshAsync(cts.Token));

        var second = await events.WaitForAsync<QrIssued>();
        Assert.True(PairingQrCode.TryParse(first.Code, out var before));
        Assert.True(PairingQrCode.TryParse(second.Code, out var after));
        Assert.Equal(before.Ref, after.Ref);
        Assert.Equal(1, second.RefNumber);
        Assert.InRange(second.ValidFor, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.NotEqual(before.AdvSecret.ToArray(), after.AdvSecret.ToArray());
        Assert.Equal(after.AdvSecret.ToArray(), store.Current!.AdvSecret.ToArray());
        // The ack travels to the emulator on its own; the new QR event may come first.
        for (var i = 0; i < 500 && !emulator.Acks.Contains("notification/companion_reg_refresh"); i++)
        {
            await Task.Delay(10, cts.Token);
        }
        Assert.Contains("notification/companion_reg_refresh", emulator.Acks);

        await new PhoneSimulator(emulator, "15550001111").ScanAsync(second.Code, cts.Token);
        var connected = await events.WaitForAsync<Connected>();
        Assert.Equal("15550001111", connected.Jid.User);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task OldQrAfterRefresh_FailsTheHmac()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var client = new WaClient(new WaClientOptions { ServerUri = emulator.Uri, Trust = CertificateTrust.FromHex(emulator.TrustedRootKeyHex) }, new InMemoryCredentialStore());
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = client.RunAsync(cts.Token);
        var first = await events.WaitForAsync<QrIssued>();
        await emulator.SendCompanionRegRefreshAsync(cts.Token);
        await events.WaitForAsync<QrIssued>();

        var ex = await Assert.ThrowsAsync<EmulatorException>(() => new PhoneSimulator(emulator, "15550001111").ScanAsync(first.Code, cts.Token));

        Assert.Contains("hmac-mismatch", ex.Message, StringComparison.Ordinal);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
