using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>remove-companion-device: the server forgets the device, and its credentials no longer log in.</summary>
public sealed class LogoutTests
{
    [Fact]
    public async Task Logout_UnlinksTheDevice_ThenItsCredentialsAreLoggedOut()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var store = new InMemoryCredentialStore();
        var options = new WaClientOptions { ServerUri = emulator.Uri, Trust = CertificateTrust.FromHex(emulator.TrustedRootKeyHex) };
        var client = new WaClient(options, store);
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = client.RunAsync(cts.Token);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await events.WaitForAsync<QrIssued>();
            await client.LogoutAsync(cts.Token);
        });
        var qr = events.All.OfType<QrIssued>().First();
        await new PhoneSimulator(emulator, "15550001111").ScanAsync(qr.Code, cts.Token);
        await events.WaitForAsync<Connected>();

        await client.LogoutAsync(cts.Token);

        Assert.Equal(ConnectionOutcome.Ended, await run.WaitAsync(cts.Token));
        var loggedOut = Assert.IsType<LoggedOut>(events.All[^1]);
        Assert.Equal((0, "user_initiated"), (loggedOut.Reason, loggedOut.Detail));
        Assert.Empty(emulator.Devices);

        var again = new WaClient(options, new InMemoryCredentialStore(store.Current));
        var againEvents = new EventCollector(again);
        Assert.Equal(ConnectionOutcome.Ended, await again.RunAsync(cts.Token));
        Assert.Equal(401, Assert.IsType<LoggedOut>(Assert.Single(againEvents.All)).Reason);
    }
}
