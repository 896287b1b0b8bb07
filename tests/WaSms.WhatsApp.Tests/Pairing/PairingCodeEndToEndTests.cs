using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Client;

using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Pairing;

/// <summary>Pairing by phone-number code through the real path: WebSocket, Noise, nodes, the emulator and its phone (docs/whatsapp.md §9).</summary>
public sealed class PairingCodeEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RequestCode_PhoneEntersIt_PairsRestartsLogsInAndSaves()
    {
        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        var run = harness.NewClient(timeout: Timeout).Start();
        var (client, events, store) = (run.Client, run.Events, run.Credentials);

        // No need to wait for the QR: the request waits for the connection's refs itself.
        var code = await client.RequestPairingCodeAsync("+1 555 000 2222", run.Token);
        Assert.Matches("^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$", code);
        Assert.Equal(code, (await events.WaitForAsync<PairingCodeIssued>()).Code);

        var phone = new PhoneSimulator(emulator, "15550002222");
        var device = await phone.EnterPairingCodeAsync(code.ToLowerInvariant(), run.Token);

        var paired = await events.WaitForAsync<PairSuccess>();
        Assert.Equal(device.Jid, paired.Jid);
        var connected = await events.WaitForAsync<Connected>();
        Assert.Equal("15550002222", connected.Jid.User);
        Assert.Equal(device.Lid, connected.Lid);
        Assert.Equal(2, emulator.HandshakeCount);
        Assert.Contains("notification/link_code_companion_reg", emulator.Acks);
        Assert.DoesNotContain(events.All, e => e is PairingCodeFailed or PairError);

        var saved = store.Current;
        Assert.NotNull(saved);
        Assert.True(saved.IsPaired);
        Assert.Equal(device.Jid, saved.Jid);
        Assert.Equal(phone.AccountKey.PublicKey.ToArray(), saved.AccountSignatureKey.ToArray());

        await run.StopAsync();

        // The saved credentials log in without any pairing.
        var second = harness.NewClient(new InMemoryCredentialStore(saved), timeout: Timeout).Start();
        Assert.Equal(device.Jid, (await second.Events.WaitForAsync<Connected>()).Jid);
        await second.StopAsync();
    }

    [Fact]
    public async Task WrongCodeOnThePhone_PhoneFailsTyped_ClientReportsRefusal_NotPaired()
    {
        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        var run = harness.NewClient(timeout: Timeout).Start();
        var (client, events, store) = (run.Client, run.Events, run.Credentials);

        var code = await client.RequestPairingCodeAsync("15550003333", run.Token);
        var wrong = WrongCode(code);
        var phone = new PhoneSimulator(emulator, "15550003333");

        var ex = await Assert.ThrowsAsync<PairingCodeException>(() => phone.EnterPairingCodeAsync(wrong, run.Token));
        Assert.Equal(PairingCodeError.KeyBundleMismatch, ex.Error);
        var failed = await events.WaitForAsync<PairingCodeFailed>();
        Assert.Equal(PairingCodeError.ServerRefused, failed.Error);
        Assert.DoesNotContain(events.All, e => e is PairSuccess);
        Assert.False(store.Current?.IsPaired ?? false);
        Assert.Empty(emulator.Devices);

        await run.StopAsync();
    }

    [Fact]
    public async Task SecondRequest_ReplacesTheFirst_AndTheNewCodePairs()
    {
        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        var run = harness.NewClient(timeout: Timeout).Start();
        var (client, events) = (run.Client, run.Events);

        await client.RequestPairingCodeAsync("15550004444", run.Token);
        var code = await client.RequestPairingCodeAsync("15550004444", run.Token);
        var device = await new PhoneSimulator(emulator, "15550004444").EnterPairingCodeAsync(code, run.Token);
        Assert.Equal(device.Jid, (await events.WaitForAsync<Connected>()).Jid);

        await run.StopAsync();
    }

    [Fact]
    public async Task BadPhoneNumber_TypedErrorBeforeAnythingIsSent()
    {
        var client = new WaClient(new WaClientOptions(), new InMemoryCredentialStore());
        var ex = await Assert.ThrowsAsync<PairingCodeException>(() => client.RequestPairingCodeAsync("0151 234", CancellationToken.None));
        Assert.Equal(PairingCodeError.InvalidPhoneNumber, ex.Error);
    }

    [Fact]
    public async Task PhoneWithoutRequest_EmulatorException()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        await Assert.ThrowsAsync<EmulatorException>(() => new PhoneSimulator(emulator, "15550005555").EnterPairingCodeAsync("ABCD-1234", CancellationToken.None));
    }

    [Fact]
    public async Task ServerRefusesTheDisplayName_ServerRefused()
    {
        await using var harness = EmulatorHarness.Start();
        var options = new WaClientOptions { ServerUri = harness.Emulator.Uri, Trust = CertificateTrust.FromHex(harness.Emulator.TrustedRootKeyHex), PairingCodePlatformDisplay = "WaSMS" };
        var run = harness.NewClient(options: options, timeout: Timeout).Start();
        var client = run.Client;

        var ex = await Assert.ThrowsAsync<PairingCodeException>(() => client.RequestPairingCodeAsync("15550006666", run.Token));
        Assert.Equal(PairingCodeError.ServerRefused, ex.Error);
        Assert.Contains("400", ex.Message, StringComparison.Ordinal);

        await run.StopAsync();
    }

    private static string WrongCode(string code)
    {
        var chars = PairingCode.Normalize(code).ToCharArray();
        chars[0] = chars[0] == 'Z' ? 'Y' : PairingCode.Alphabet[PairingCode.Alphabet.IndexOf(chars[0], StringComparison.Ordinal) + 1];
        return new string(chars);
    }
}
