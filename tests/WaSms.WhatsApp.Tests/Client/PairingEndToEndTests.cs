using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>QR pairing through the real path: WebSocket on loopback, Noise, nodes, the emulator and its phone.</summary>
public sealed class PairingEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ScanQr_PairsRestartsAndLogsIn_ThenASecondClientLogsInWithoutQr()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var store = new InMemoryCredentialStore();
        var options = Options(emulator);
        using var cts = new CancellationTokenSource(Timeout);

        var client = new WaClient(options, store);
        var events = new EventCollector(client);
        var run = client.RunAsync(cts.Token);

        var qr = await events.WaitForAsync<QrIssued>();
        Assert.Equal(TimeSpan.FromSeconds(60), qr.ValidFor);
        Assert.Equal(1, qr.RefNumber);
        Assert.Equal(QrRefSchedule.ServerRefCount, qr.RefCount);
        Assert.StartsWith(PairingQrCode.Prefix, qr.Code, StringComparison.Ordinal);

        var phone = new PhoneSimulator(emulator, "15550001111");
        var device = await phone.ScanAsync(qr.Code, cts.Token);

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

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        // A second client with the saved credentials logs in directly.
        using var cts2 = new CancellationTokenSource(Timeout);
        var second = new WaClient(options, new InMemoryCredentialStore(saved));
        var secondEvents = new EventCollector(second);
        var secondRun = second.RunAsync(cts2.Token);
        var again = await secondEvents.WaitForAsync<Connected>();
        Assert.Equal(device.Jid, again.Jid);
        Assert.DoesNotContain(secondEvents.All, e => e is QrIssued);
        await cts2.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => secondRun);
    }

    [Fact]
    public async Task UnknownDevice_LoginFailsWith401_LoggedOut()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var credentials = WaCredentials.Generate() with { Jid = new Jid("15550009999", JidServer.WhatsApp, 4) };
        var client = new WaClient(Options(emulator), new InMemoryCredentialStore(credentials));
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(Timeout);

        var outcome = await client.RunAsync(cts.Token);

        Assert.Equal(ConnectionOutcome.Ended, outcome);
        var loggedOut = Assert.Single(events.All.OfType<LoggedOut>());
        Assert.Equal(401, loggedOut.Reason);
    }

    [Fact]
    public async Task CorruptHmac_ClientRefusesWithPairErrorAndPhoneSeesTheError()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var store = new InMemoryCredentialStore();
        var client = new WaClient(Options(emulator), store);
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(Timeout);
        var run = client.RunAsync(cts.Token);
        var qr = await events.WaitForAsync<QrIssued>();

        var phone = new PhoneSimulator(emulator, "15550001111") { CorruptHmac = true };
        var ex = await Assert.ThrowsAsync<EmulatorException>(() => phone.ScanAsync(qr.Code, cts.Token));

        Assert.Contains("hmac-mismatch", ex.Message, StringComparison.Ordinal);
        var error = await events.WaitForAsync<PairError>();
        Assert.Equal(PairingError.HmacMismatch, error.Error);
        Assert.Null(store.Current);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task WrongTrustedRoot_HandshakeFails_Disconnected()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var options = new WaClientOptions { ServerUri = emulator.Uri, Trust = CertificateTrust.WhatsApp };
        var client = new WaClient(options, new InMemoryCredentialStore());
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(Timeout);

        var outcome = await client.RunAsync(cts.Token);

        Assert.Equal(ConnectionOutcome.Ended, outcome);
        var disconnected = Assert.Single(events.All.OfType<Disconnected>());
        Assert.IsType<CertificateChainException>(disconnected.Exception);
    }

    private static WaClientOptions Options(WaEmulator emulator) =>
        new() { ServerUri = emulator.Uri, Trust = CertificateTrust.FromHex(emulator.TrustedRootKeyHex) };
}
