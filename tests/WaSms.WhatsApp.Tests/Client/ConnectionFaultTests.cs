using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>Login failures and stream errors from the emulator map to the right events (docs/whatsapp.md §6).</summary>
public sealed class ConnectionFaultTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(405, typeof(ClientOutdated))]
    [InlineData(401, typeof(LoggedOut))]
    [InlineData(403, typeof(LoggedOut))]
    [InlineData(406, typeof(LoggedOut))]
    [InlineData(503, typeof(ConnectFailure))]
    public async Task LoginFailure_RaisesItsEventAndEnds(int reason, Type expected)
    {
        await using var emulator = new WaEmulator { FailLoginsWith = reason };
        emulator.Start();
        var credentials = WaCredentials.Generate() with { Jid = new Jid("15550001111", JidServer.WhatsApp, 2) };
        var client = new WaClient(Options(emulator), new InMemoryCredentialStore(credentials));
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(Timeout);

        var outcome = await client.RunAsync(cts.Token);

        Assert.Equal(ConnectionOutcome.Ended, outcome);
        var e = Assert.Single(events.All);
        Assert.IsType(expected, e);
        switch (e)
        {
            case LoggedOut loggedOut:
                Assert.Equal(reason, loggedOut.Reason);
                break;
            case ConnectFailure failure:
                Assert.Equal(reason, failure.Reason);
                break;
            case ClientOutdated outdated:
                Assert.Equal("emu", outdated.Location);
                break;
        }
    }

    [Theory]
    [InlineData(401, "device_removed", typeof(LoggedOut))]
    [InlineData(null, "replaced", typeof(StreamError))]
    [InlineData(503, null, typeof(StreamError))]
    public async Task StreamErrorAfterLogin_RaisesItsEventAndEnds(int? code, string? conflict, Type expected)
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var client = new WaClient(Options(emulator), new InMemoryCredentialStore());
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(Timeout);
        var run = client.RunAsync(cts.Token);
        var qr = await events.WaitForAsync<QrIssued>();
        await new PhoneSimulator(emulator, "15550001111").ScanAsync(qr.Code, cts.Token);
        await events.WaitForAsync<Connected>();

        Assert.Equal(1, await emulator.SendStreamErrorAsync(code, conflict, cts.Token));

        Assert.Equal(ConnectionOutcome.Ended, await run.WaitAsync(cts.Token));
        var last = events.All[^1];
        Assert.IsType(expected, last);
        if (last is StreamError streamError)
        {
            Assert.Equal(code ?? 0, streamError.Code);
            Assert.Equal(conflict, streamError.Conflict);
        }
    }

    private static WaClientOptions Options(WaEmulator emulator) =>
        new() { ServerUri = emulator.Uri, Trust = CertificateTrust.FromHex(emulator.TrustedRootKeyHex) };
}
