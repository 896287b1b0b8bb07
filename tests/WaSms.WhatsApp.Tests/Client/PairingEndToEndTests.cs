using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>QR pairing through the real path: WebSocket on loopback, Noise, nodes, the emulator and its phone.</summary>
public sealed class PairingEndToEndTests
{
    [Fact]
    public async Task ScanQr_PairsRestartsAndLogsIn_ThenASecondClientLogsInWithoutQr()
    {
        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        var client = harness.NewClient().Start();
        var (events, store) = (client.Events, client.Credentials);

        var qr = await events.WaitForAsync<QrIssued>();
        Assert.Equal(TimeSpan.FromSeconds(60), qr.ValidFor);
        Assert.Equal(1, qr.RefNumber);
        Assert.Equal(QrRefSchedule.ServerRefCount, qr.RefCount);
        Assert.StartsWith(PairingQrCode.Prefix, qr.Code, StringComparison.Ordinal);

        var phone = harness.Phone();
        var device = await phone.ScanAsync(qr.Code, client.Token);

        var paired = await events.WaitForAsync<PairSuccess>();
        Assert.Equal(device.Jid, paired.Jid);
        Assert.Equal(device.Lid, paired.Lid);
        Assert.Equal("android", paired.Platform);

        var connected = await events.WaitForAsync<Connected>();
        Assert.Equal(device.Jid, connected.Jid);
        Assert.Equal("15550001111", connected.Jid.User);
        Assert.Equal(device.Lid, connected.Lid);
        Assert.Equal(2, emulator.HandshakeCount);

        var saved = store.Current;
        Assert.NotNull(saved);
        Assert.True(saved.IsPaired);
        Assert.Equal(device.Jid, saved.Jid);
        Assert.Equal(device.NoisePublicKey.ToArray(), saved.NoiseKey.PublicKey.ToArray());
        Assert.Equal(phone.AccountKey.PublicKey.ToArray(), saved.AccountSignatureKey.ToArray());

        await client.StopAsync();

        // A second client with the saved credentials logs in directly.
        var second = harness.NewClient(new InMemoryCredentialStore(saved)).Start();
        var again = await second.Events.WaitForAsync<Connected>();
        Assert.Equal(device.Jid, again.Jid);
        Assert.DoesNotContain(second.Events.All, e => e is QrIssued);
        await second.StopAsync();
    }

    [Fact]
    public async Task UnknownDevice_LoginFailsWith401_LoggedOut()
    {
        await using var harness = EmulatorHarness.Start();
        var credentials = WaCredentials.Generate() with { Jid = new Jid("15550009999", JidServer.WhatsApp, 4) };
        var client = harness.NewClient(new InMemoryCredentialStore(credentials));

        var outcome = await client.RunToEndAsync();

        Assert.Equal(ConnectionOutcome.Ended, outcome);
        var loggedOut = Assert.Single(client.Events.All.OfType<LoggedOut>());
        Assert.Equal(401, loggedOut.Reason);
    }

    [Fact]
    public async Task CorruptHmac_ClientRefusesWithPairErrorAndPhoneSeesTheError()
    {
        await using var harness = EmulatorHarness.Start();
        var client = harness.NewClient().Start();
        var qr = await client.Events.WaitForAsync<QrIssued>();

        var phone = new PhoneSimulator(harness.Emulator, "15550001111") { CorruptHmac = true };
        var ex = await Assert.ThrowsAsync<EmulatorException>(() => phone.ScanAsync(qr.Code, client.Token));

        Assert.Contains("hmac-mismatch", ex.Message, StringComparison.Ordinal);
        var error = await client.Events.WaitForAsync<PairError>();
        Assert.Equal(PairingError.HmacMismatch, error.Error);
        Assert.Null(client.Credentials.Current);
        await client.StopAsync();
    }

    [Fact]
    public async Task WrongTrustedRoot_HandshakeFails_Disconnected()
    {
        await using var harness = EmulatorHarness.Start();
        var client = harness.NewClient(options: new WaClientOptions { ServerUri = harness.Emulator.Uri, Trust = CertificateTrust.WhatsApp });

        var outcome = await client.RunToEndAsync();

        Assert.Equal(ConnectionOutcome.Ended, outcome);
        var disconnected = Assert.Single(client.Events.All.OfType<Disconnected>());
        Assert.IsType<CertificateChainException>(disconnected.Exception);
    }
}
