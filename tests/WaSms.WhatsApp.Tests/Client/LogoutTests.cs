using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>remove-companion-device: the server forgets the device, and its credentials no longer log in.</summary>
public sealed class LogoutTests
{
    [Fact]
    public async Task Logout_UnlinksTheDevice_ThenItsCredentialsAreLoggedOut()
    {
        await using var harness = EmulatorHarness.Start();
        var client = harness.NewClient().Start();
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await client.Events.WaitForAsync<QrIssued>();
            await client.Client.LogoutAsync(client.Token);
        });
        var qr = client.Events.All.OfType<QrIssued>().First();
        await harness.Phone().ScanAsync(qr.Code, client.Token);
        await client.Events.WaitForAsync<Connected>();

        await client.Client.LogoutAsync(client.Token);

        Assert.Equal(ConnectionOutcome.Ended, await client.Run.WaitAsync(client.Token));
        var loggedOut = Assert.IsType<LoggedOut>(client.Events.All[^1]);
        Assert.Equal((0, "user_initiated"), (loggedOut.Reason, loggedOut.Detail));
        Assert.Empty(harness.Emulator.Devices);

        var again = harness.NewClient(new InMemoryCredentialStore(client.Credentials.Current));
        Assert.Equal(ConnectionOutcome.Ended, await again.RunToEndAsync());
        Assert.Equal(401, Assert.IsType<LoggedOut>(Assert.Single(again.Events.All)).Reason);
    }
}
