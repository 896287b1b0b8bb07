using WaSms.Emulators.WhatsApp.Scripting;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>
/// The steps after <c>success</c> (docs/whatsapp.md §6.1), node by node on a scripted server: prekey
/// count, upload when low, <c>active</c>, then <see cref="Connected"/> — and a refused step is reported
/// while the link stays up, which the emulator (always willing) cannot show.
/// </summary>
public sealed class LoginStepsScriptedTests
{
    [Fact]
    public async Task Success_CountUploadActive_InThatOrder_ThenConnected()
    {
        await using var server = ScriptedWaServer.Start();
        var (client, events, cts) = Start(server);
        var connection = await server.AcceptAsync(cts.Token);
        await connection.SendAsync(Success(), cts.Token);

        var count = await connection.ExpectAsync(n => IsIq(n, "encrypt", "get") && n.TryGetChild("count", out _), cts.Token);
        await connection.ReplyAsync(count, cts.Token, NodeHelpers.Make("count", ("value", "0")));
        var upload = await connection.ExpectAsync(n => IsIq(n, "encrypt", "set") && n.TryGetChild("registration", out _), cts.Token);
        Assert.True(PreKeyUpload.TryParse(upload, out var parsed, out var problem), problem);
        Assert.Equal(PreKeyUpload.InitialCount, parsed.PreKeys.Count);
        await connection.ReplyAsync(upload, cts.Token);
        var active = await connection.ExpectAsync(n => IsIq(n, "passive", "set") && n.TryGetChild("active", out _), cts.Token);
        Assert.DoesNotContain(events.All, e => e is Connected);
        await connection.ReplyAsync(active, cts.Token);

        Assert.Equal("15550001111", (await events.WaitForAsync<Connected>()).Jid.User);
        Assert.Equal(new PreKeysUploaded(PreKeyUpload.InitialCount, 0), Assert.Single(events.All.OfType<PreKeysUploaded>()));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client);
    }

    [Fact]
    public async Task CountRefused_ReportedAsLoginStepFailed_StillGoesActiveAndConnected()
    {
        await using var server = ScriptedWaServer.Start();
        var (client, events, cts) = Start(server);
        var connection = await server.AcceptAsync(cts.Token);
        await connection.SendAsync(Success(), cts.Token);

        var count = await connection.ExpectAsync(n => IsIq(n, "encrypt", "get"), cts.Token);
        await connection.ReplyErrorAsync(count, 500, "internal-server-error", cts.Token);
        var active = await connection.ExpectAsync(n => IsIq(n, "passive", "set") && n.TryGetChild("active", out _), cts.Token);
        await connection.ReplyAsync(active, cts.Token);

        await events.WaitForAsync<Connected>();
        var failed = Assert.Single(events.All.OfType<LoginStepFailed>());
        Assert.Equal("prekeys", failed.Step);
        Assert.DoesNotContain(events.All, e => e is PreKeysUploaded);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client);
    }

    private static (Task<ConnectionOutcome> Run, EventCollector Events, CancellationTokenSource Cts) Start(ScriptedWaServer server)
    {
        var credentials = WaCredentials.Generate() with { Jid = new Jid("15550001111", JidServer.WhatsApp, 2) };
        var client = new WaClient(new WaClientOptions { ServerUri = server.Uri, Trust = server.Trust }, new InMemoryCredentialStore(credentials));
        var events = new EventCollector(client);
        var cts = new CancellationTokenSource(EmulatorHarness.DefaultTimeout);
        return (client.RunAsync(cts.Token), events, cts);
    }

    private static Node Success() =>
        NodeHelpers.Make("success", ("t", "1764633600"), ("props", "1"), ("abprops", "1"), ("location", "script"), ("creation", "1764633600"), ("lid", new Jid("99887766", JidServer.Lid, 2)));

    private static bool IsIq(Node node, string xmlns, string type) =>
        node.Tag == "iq" && node.Attr("xmlns") == xmlns && node.Attr("type") == type;
}
