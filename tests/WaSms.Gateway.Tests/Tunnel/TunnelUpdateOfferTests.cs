using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.State;
using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Control;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Gateway.Tunnel.Sync;
using WaSms.Gateway.Updates;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>
/// The platform's <c>update-available</c> command (docs/tunnel.md §7.1) reaches the state machine as an
/// <see cref="UpdateNotice"/> once recorded, a newer offer replaces it, and a restart shows the stored one again.
/// </summary>
public sealed class TunnelUpdateOfferTests(ITestOutputHelper testOutput)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task TheCommandPostsTheNotice_ANewerOfferReplacesIt_AReplayOrRefusalDoesNot()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            Assert.Null(Offered(rig.Machine));

            await peer.SendAsync("""{"type":"command","seq":1,"id":"u_1","name":"update-available","args":{"version":"1.6.0","url":"https://example.com/1.6.0.raucb","sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","signature":"cd"}}""");
            Assert.True((await peer.ReceiveAsync("result")).GetProperty("ok").GetBoolean());
            Assert.Equal(new UpdateNotice("1.6.0"), Offered(rig.Machine)); // posted before the answer left

            await peer.SendAsync("""{"type":"command","seq":2,"id":"u_2","name":"update-available","args":{"version":"1.7.0"}}""");
            var refused = await peer.ReceiveAsync("result");
            Assert.Equal("bad-args", refused.GetProperty("error").GetString());
            Assert.Equal(new UpdateNotice("1.6.0"), Offered(rig.Machine)); // an offer without a URL changes nothing

            // Each argument as §7.1 defines it, or bad-args naming the one that is wrong; nothing recorded.
            var bad = new (string Args, string Names)[]
            {
                ("""{"version":"1.7.0","url":"http://example.com/1.7.0.raucb","sha256":"HASH"}""", "args.url"),
                ("""{"version":"1.7.0","url":"/tmp/1.7.0.raucb","sha256":"HASH"}""", "args.url"),
                ("""{"version":"1.7.0","url":"https://example.com/1.7.0.raucb","sha256":"ab"}""", "args.sha256"),
                ("""{"version":"1.7.0","url":"https://example.com/1.7.0.raucb"}""", "args.sha256"),
                ("""{"version":"1.7 beta","url":"https://example.com/1.7.0.raucb","sha256":"HASH"}""", "args.version"),
            };
            var seq = 2;
            foreach (var (args, names) in bad)
            {
                seq++;
                await peer.SendAsync($$"""{"type":"command","seq":{{seq}},"id":"bad_{{seq}}","name":"update-available","args":{{args.Replace("HASH", new string('a', 64), StringComparison.Ordinal)}}}""");
                var answer = await peer.ReceiveAsync("result");
                Assert.Equal("bad-args", answer.GetProperty("error").GetString());
                Assert.Contains(names, answer.GetProperty("message").GetString(), StringComparison.Ordinal);
                Assert.Equal(new UpdateNotice("1.6.0"), Offered(rig.Machine));
            }

            await peer.SendAsync("""{"type":"command","seq":8,"id":"u_3","name":"update-available","args":{"version":"1.7.0","url":"https://example.com/1.7.0.raucb","sha256":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee","signature":"01"}}""");
            Assert.True((await peer.ReceiveAsync("result")).GetProperty("ok").GetBoolean());
            Assert.Equal(new UpdateNotice("1.7.0"), Assert.Single(rig.Machine.Current.Notices!.OfType<UpdateNotice>()));

            // The platform resends the old offer's id: answered from the record, never run again, so 1.6.0 does not come back.
            await peer.SendAsync("""{"type":"command","seq":9,"id":"u_1","name":"update-available","args":{"version":"1.6.0","url":"https://example.com/1.6.0.raucb","sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","signature":"cd"}}""");
            Assert.True((await peer.ReceiveAsync("result")).GetProperty("ok").GetBoolean());
            Assert.Equal(new UpdateNotice("1.7.0"), Offered(rig.Machine));
            Assert.Equal("1.7.0", (await UpdateOffers.ReadAsync(rig.Store, None))?.Version);
        }
    }

    [Fact]
    public async Task ARollbackFoundAtStartUp_ReachesThePlatformInTheStateFrame()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        var (_, peer) = await rig.ConnectAsync(platform, None);
        await using (peer)
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            var first = await peer.ReceiveAsync("state");
            Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("lastUpdate").ValueKind);

            // What UpdateOutcomes posts after the reboot when the board went back (docs/updates.md §6).
            var at = rig.Time.GetUtcNow();
            rig.Machine.Post(new UpdateOutcome("1.6.0", true, "B: not marked good - gateway restarted 2 times since boot - watchdog or crash", at));
            rig.Parts.StateChanged.Pulse(); // what TunnelService's feed does on every change of the state machine
            var state = await peer.ReceiveAsync("state");
            var last = state.GetProperty("lastUpdate");
            Assert.Equal("1.6.0", last.GetProperty("version").GetString());
            Assert.Equal("rolled-back", last.GetProperty("result").GetString());
            Assert.Equal("B: not marked good - gateway restarted 2 times since boot - watchdog or crash", last.GetProperty("reason").GetString());
            Assert.Equal(WaSms.Gateway.Tunnel.Protocol.FrameValidator.FormatTime(at), last.GetProperty("at").GetString());
        }
    }

    [Fact]
    public async Task ARestartShowsTheStoredOfferAgain_UntilTheInstallerClearsIt()
    {
        using var state = new TempDirectory();
        await using (var store = await GatewayStore.OpenAsync(state.Path, TimeProvider.System, NullLogger.Instance, None))
        {
            // What the command handler recorded before the restart.
            var offer = new UpdateOffer { Version = "1.6.0", Url = "https://example.com/1.6.0.raucb", Sha256 = "ab", Signature = "cd" };
            await store.SetSettingAsync(CommandHandler.UpdateSetting, JsonSerializer.Serialize(offer, TunnelJson.Default.UpdateOffer), None);
        }
        await using var emulator = new WaEmulator();
        emulator.Start();

        await using (var gateway = await InProcessGateway.StartAsync(emulator, state.Path, testOutput))
        {
            Assert.Equal(new UpdateNotice("1.6.0"), Offered(gateway.Machine)); // restored by the boot, before READY
            var report = await gateway.Get<StatusProvider>().GetReportAsync(None);
            Assert.Equal("1.6.0", report.Tunnel?.UpdateAvailable);

            // The hook the installer (issue #13) calls once the offered version is installed.
            await UpdateOffers.ClearAsync(gateway.Store, gateway.Machine, None);
            Assert.Null(Offered(gateway.Machine));
            Assert.Null((await gateway.Get<StatusProvider>().GetReportAsync(None)).Tunnel?.UpdateAvailable);
        }
        await using (var again = await InProcessGateway.StartAsync(emulator, state.Path, testOutput))
        {
            Assert.Null(Offered(again.Machine)); // cleared for good, not only until the next restart
        }
    }

    [Fact]
    public async Task AnOfferOfTheVersionNowRunning_WasInstalled_AndIsClearedAtStart()
    {
        using var state = new TempDirectory();
        await using (var store = await GatewayStore.OpenAsync(state.Path, TimeProvider.System, NullLogger.Instance, None))
        {
            var offer = new UpdateOffer { Version = StatusProvider.Version, Url = "https://example.com/now.raucb", Sha256 = "ab", Signature = "cd" };
            await store.SetSettingAsync(CommandHandler.UpdateSetting, JsonSerializer.Serialize(offer, TunnelJson.Default.UpdateOffer), None);
        }
        await using var emulator = new WaEmulator();
        emulator.Start();

        await using var gateway = await InProcessGateway.StartAsync(emulator, state.Path, testOutput);
        Assert.Null(Offered(gateway.Machine));
        Assert.Null(await UpdateOffers.ReadAsync(gateway.Store, None));
    }

    private static UpdateNotice? Offered(GatewayStateMachine machine) => machine.Current.OpenNotice<UpdateNotice>(DateTimeOffset.UtcNow);
}
