using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Client;

using WaSms.Testing;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Pairing;

/// <summary>companion_reg_refresh: ack, new ADV secret persisted, same ref re-issued (docs/whatsapp.md §4.5).</summary>
public sealed class CompanionRegRefreshTests
{
    [Fact]
    public async Task Refresh_RotatesTheAdvSecretAndReissuesTheCurrentRef_ThenPairingWorks()
    {
        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        var client = harness.NewClient().Start();
        var (events, store) = (client.Events, client.Credentials);
        var first = await events.WaitForAsync<QrIssued>();

        Assert.Equal(1, await emulator.SendCompanionRegRefreshAsync(client.Token));

        var second = await events.WaitForAsync<QrIssued>();
        Assert.True(PairingQrCode.TryParse(first.Code, out var before));
        Assert.True(PairingQrCode.TryParse(second.Code, out var after));
        Assert.Equal(before.Ref, after.Ref);
        Assert.Equal(1, second.RefNumber);
        Assert.InRange(second.ValidFor, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.NotEqual(before.AdvSecret.ToArray(), after.AdvSecret.ToArray());
        Assert.Equal(after.AdvSecret.ToArray(), store.Current!.AdvSecret.ToArray());
        // The ack travels to the emulator on its own; the new QR event may come first.
        await Eventually.UntilAsync(() => emulator.Acks.Contains("notification/companion_reg_refresh"), Eventually.DefaultTimeout,
            "the companion_reg_refresh ack at the emulator");
        Assert.Contains("notification/companion_reg_refresh", emulator.Acks);

        await harness.Phone().ScanAsync(second.Code, client.Token);
        var connected = await events.WaitForAsync<Connected>();
        Assert.Equal("15550001111", connected.Jid.User);
        await client.StopAsync();
    }

    [Fact]
    public async Task OldQrAfterRefresh_FailsTheHmac()
    {
        await using var harness = EmulatorHarness.Start();
        var client = harness.NewClient().Start();
        var first = await client.Events.WaitForAsync<QrIssued>();
        await harness.Emulator.SendCompanionRegRefreshAsync(client.Token);
        await client.Events.WaitForAsync<QrIssued>();

        var ex = await Assert.ThrowsAsync<EmulatorException>(() => harness.Phone().ScanAsync(first.Code, client.Token));

        Assert.Contains("hmac-mismatch", ex.Message, StringComparison.Ordinal);
        await client.StopAsync();
    }
}
