using WaSms.Emulators.WhatsApp.Scripting;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>Login failures and stream errors from the server map to the right events (docs/whatsapp.md §6).</summary>
public sealed class ConnectionFaultTests
{
    [Theory]
    [InlineData(405, typeof(ClientOutdated))]
    [InlineData(401, typeof(LoggedOut))]
    [InlineData(403, typeof(LoggedOut))]
    [InlineData(406, typeof(LoggedOut))]
    [InlineData(503, typeof(ConnectFailure))]
    public async Task LoginFailure_RaisesItsEventAndEnds(int reason, Type expected)
    {
        await using var server = ScriptedWaServer.Start();
        var credentials = WaCredentials.Generate() with { Jid = new Jid("15550001111", JidServer.WhatsApp, 2) };
        var client = new WaClient(new WaClientOptions { ServerUri = server.Uri, Trust = server.Trust }, new InMemoryCredentialStore(credentials));
        var events = new EventCollector(client);
        using var cts = new CancellationTokenSource(EmulatorHarness.DefaultTimeout);
        var run = client.RunAsync(cts.Token);

        // The server answers the login of 15550001111:2 with <failure reason="N" location="emu"/>.
        var connection = await server.AcceptAsync(cts.Token);
        Assert.Equal((15550001111UL, 2U), (connection.Payload.Username, connection.Payload.Device));
        await connection.SendAsync(NodeHelpers.Make("failure", ("reason", reason.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("location", "emu")), cts.Token);
        await connection.CloseAsync();

        Assert.Equal(ConnectionOutcome.Ended, await run);
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
        await using var harness = EmulatorHarness.Start();
        var client = harness.NewClient().Start();
        await client.LinkAsync(harness.Phone());

        Assert.Equal(1, await harness.Emulator.SendStreamErrorAsync(code, conflict, client.Token));

        Assert.Equal(ConnectionOutcome.Ended, await client.Run.WaitAsync(client.Token));
        var last = client.Events.All[^1];
        Assert.IsType(expected, last);
        if (last is StreamError streamError)
        {
            Assert.Equal(code ?? 0, streamError.Code);
            Assert.Equal(conflict, streamError.Conflict);
        }
    }
}
