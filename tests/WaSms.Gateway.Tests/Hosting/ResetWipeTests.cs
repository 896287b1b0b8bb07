using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Gateway.Dev;
using WaSms.Storage;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// A reset of a real, linked gateway process leaves none of the old WhatsApp keys in any file of
/// the state directory (issue #9 point 1), and a reset killed with SIGKILL between the WhatsApp
/// logout and the local wipe is finished by the next start (point 2).
/// </summary>
public sealed class ResetWipeTests(ITestOutputHelper testOutput) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state");

    private static string[] RunArgs(string state, WaEmulator emulator) =>
        ["run", "--simulate", "--state-dir", state, $"--WhatsApp:ServerUrl={emulator.Uri}", $"--WhatsApp:TrustedRootKey={emulator.TrustedRootKeyHex}"];

    private static Task WaitUntilAsync(Func<bool> condition, string what, GatewayProcess gateway, int seconds = 30) =>
        Eventually.UntilAsync(condition, TimeSpan.FromSeconds(seconds), what, () => $"stdout:\n{gateway.Output}\nstderr:\n{gateway.Error}");

    /// <summary>Shows a QR, has the emulated phone scan it, waits until online with the prekeys uploaded.</summary>
    private async Task<string> LinkAsync(GatewayProcess gateway, NotifyListener notify, WaEmulator emulator)
    {
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));
        var (_, output, _) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", State]);
        using var json = JsonDocument.Parse(output);
        var qr = json.RootElement.GetProperty("pairing").GetProperty("qr").GetString()!;
        var device = await new PhoneSimulator(emulator, "15557650000").ScanAsync(qr, CancellationToken.None);
        await notify.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => gateway.Output.Contains("Uploaded 812 prekeys", StringComparison.Ordinal), "the prekey upload", gateway);
        return device.Jid.ToString();
    }

    /// <summary>The session's private key material, read out of the live database.</summary>
    private async Task<List<(string Name, byte[] Value)>> ReadSessionKeysAsync()
    {
        var keys = new List<(string Name, byte[] Value)>();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(State, GatewayStore.FileName)};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using (var secrets = connection.CreateCommand())
        {
            secrets.CommandText = "SELECT name, value FROM secrets WHERE scope = 'whatsapp' AND name IN ('noise-key', 'identity-key', 'signed-prekey', 'signed-prekey-signature', 'adv-secret')";
            await using var reader = await secrets.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys.Add((reader.GetString(0), (byte[])reader.GetValue(1)));
            }
        }
        await using (var preKeys = connection.CreateCommand())
        {
            preKeys.CommandText = "SELECT id, private_key FROM numbered_keys WHERE scope = 'whatsapp'";
            await using var reader = await preKeys.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys.Add(($"prekey {reader.GetInt64(0)}", (byte[])reader.GetValue(1)));
            }
        }
        Assert.Equal(5, keys.Count(k => !k.Name.StartsWith("prekey", StringComparison.Ordinal)));
        Assert.True(keys.Count >= 5 + 812, $"{keys.Count} keys");
        return keys;
    }

    /// <summary>Platform enrollment, a setting and (optionally) a queued item, planted before the gateway starts.</summary>
    private async Task<List<(string Name, byte[] Value)>> PlantPlatformDataAsync(bool queueItem)
    {
        var token = RandomNumberGenerator.GetBytes(48);
        var gatewayId = "gw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var payload = RandomNumberGenerator.GetBytes(200);
        await using var store = await GatewayStore.OpenAsync(State, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        await store.ReplaceSecretsAsync(SecretScopes.Platform, new Dictionary<string, byte[]> { ["token"] = token }, CancellationToken.None);
        await store.SetSettingAsync("gateway-id", gatewayId, CancellationToken.None);
        List<(string Name, byte[] Value)> planted = [("platform token", token), ("gateway id setting", Encoding.UTF8.GetBytes(gatewayId))];
        if (queueItem)
        {
            await store.EnqueueAsync("outbox", "message-1", payload, CancellationToken.None);
            planted.Add(("queued payload", payload));
        }
        return planted;
    }

    private async Task AssertPlatformDataGoneAsync()
    {
        await using var store = await GatewayStore.OpenAsync(State, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        // Dev mode enrolls again with its platform emulator's code after the reset: only what was planted must be gone.
        Assert.DoesNotContain("token", (await store.GetSecretsAsync(SecretScopes.Platform, CancellationToken.None)).Keys);
        Assert.Null(await store.GetSettingAsync("gateway-id", CancellationToken.None));
        Assert.Empty(await store.GetQueueDepthsAsync(CancellationToken.None));
        Assert.Null(await store.GetPendingResetAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reset_LinkedGateway_NoOldKeyByteInAnyFileOfTheStateDirectory(bool factory)
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var platform = factory ? await PlantPlatformDataAsync(queueItem: false) : [];
        // A database once moved aside and the provisioned enrollment code: only a factory reset deletes them.
        Directory.CreateDirectory(State, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string[] beside = [Path.Combine(State, "gateway.db.bad-20261101T080000Z"), Path.Combine(State, "gateway.db.bad-20261101T080000Z-wal"),
            Path.Combine(State, GatewayStore.EnrollmentCodeFileName)];
        foreach (var file in beside)
        {
            await File.WriteAllTextAsync(file, "planted");
        }
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(RunArgs(State, emulator), new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path }, testOutput: testOutput);
        await LinkAsync(gateway, notify, emulator);
        var keys = await ReadSessionKeysAsync();
        Assert.Empty(FileScan.Missing(State, [.. keys, .. platform])); // the search finds what is there

        var reset = await GatewayProcess.RunAsync(factory ? ["reset", "--factory", "--state-dir", State] : ["reset", "--state-dir", State]);
        Assert.True(reset.ExitCode == 0, reset.Error);
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));

        Assert.Empty(FileScan.Find(State, [.. keys, .. platform])); // running: gateway.db, -wal, -shm, display/, …
        Assert.All(beside, f => Assert.Equal(!factory, File.Exists(f)));
        gateway.Signal("TERM");
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Empty(FileScan.Find(State, [.. keys, .. platform]));
    }

    [Fact]
    public async Task FactoryReset_KilledBetweenLogoutAndWipe_NextStartFinishesIt()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var platform = await PlantPlatformDataAsync(queueItem: true);
        List<(string Name, byte[] Value)> keys;
        string deviceJid;
        using (var notify = new NotifyListener())
        using (var gateway = GatewayProcess.Start(RunArgs(State, emulator), new Dictionary<string, string>
               {
                   ["NOTIFY_SOCKET"] = notify.Path,
                   [ResetFaultInjection.EnvironmentVariable] = "1",
               }, testOutput: testOutput))
        {
            deviceJid = await LinkAsync(gateway, notify, emulator);
            keys = await ReadSessionKeysAsync();

            // One queued item: the first request asks, the second confirms the discard.
            var ask = await GatewayProcess.RunAsync(["reset", "--factory", "--state-dir", State]);
            Assert.True(ask.ExitCode == 2, ask.Error);
            using var confirm = GatewayProcess.Start(["reset", "--factory", "--state-dir", State]);
            await WaitUntilAsync(() => gateway.Output.Contains(ResetFaultInjection.HeldMessage, StringComparison.Ordinal), "the held reset", gateway);
            Assert.Contains("Logged out of WhatsApp", gateway.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(emulator.Devices, d => d.Jid.ToString() == deviceJid);

            gateway.Signal("KILL");
            await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15));
            await confirm.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        // Killed exactly there: logged out of WhatsApp, yet every key and the platform data still on disk.
        Assert.Empty(FileScan.Missing(State, [.. keys, .. platform]));

        using (var notify = new NotifyListener())
        using (var gateway = GatewayProcess.Start(RunArgs(State, emulator), new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path }, testOutput: testOutput))
        {
            await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));
            Assert.Contains("Factory reset requested at", gateway.Output, StringComparison.Ordinal);
            Assert.Contains("was interrupted; finishing it", gateway.Output, StringComparison.Ordinal);
            Assert.Contains("Factory reset: discarding 1 undelivered item(s) as confirmed", gateway.Output, StringComparison.Ordinal);
            Assert.Contains("Factory reset: wiped local database", gateway.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(notify.All, m => m.StartsWith("STATUS=relink-needed", StringComparison.Ordinal) || m.StartsWith("STATUS=connecting", StringComparison.Ordinal));
            gateway.Signal("TERM");
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        }
        Assert.Empty(FileScan.Find(State, [.. keys, .. platform]));
        await AssertPlatformDataGoneAsync();
    }

    [Fact]
    public async Task Boot_PendingRelinkInTheStore_FinishedBeforeTheFirstState()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var noiseKey = RandomNumberGenerator.GetBytes(32);
        await using (var store = await GatewayStore.OpenAsync(State, TimeProvider.System, NullLogger.Instance, CancellationToken.None))
        {
            await store.ReplaceSecretsAsync(SecretScopes.WhatsApp, new Dictionary<string, byte[]> { ["noise-key"] = noiseKey }, CancellationToken.None);
            await store.SetSettingAsync("gateway-id", "kept by a relink", CancellationToken.None);
            await store.SetPendingResetAsync(new Core.Reset.ResetIntent(Core.Reset.ResetKind.Relink, false, "button", DateTimeOffset.UtcNow), CancellationToken.None);
        }

        await using var gateway = await InProcessGateway.StartAsync(emulator, State, testOutput);

        // BootService ran before StartAsync returned: without the journal it would have gone to connecting.
        Assert.Equal(Core.State.GatewayState.Unpaired, gateway.Machine.Current.State);
        Assert.Null(await gateway.Store.GetPendingResetAsync(CancellationToken.None));
        Assert.Equal("kept by a relink", await gateway.Store.GetSettingAsync("gateway-id", CancellationToken.None));
        Assert.Empty(FileScan.Find(State, [("noise-key", noiseKey)]));
    }

    [Fact]
    public async Task LinkWipe_ReturnsOnlyAfterTheCancelledClientHasStopped()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        await using var gateway = await InProcessGateway.StartAsync(emulator, State, testOutput);
        // A client is connected and showing QR codes.
        await Eventually.UntilAsync(() => gateway.Machine.Current.Pairing?.QrCode is not null, TimeSpan.FromSeconds(30), "a QR code to show",
            () => $"state: {gateway.Machine.Current}");
        var link = gateway.Get<Links.WhatsAppLinkService>();

        await ((Core.Reset.IResetParticipant)link).WipeAsync(Core.Reset.ResetKind.Relink, CancellationToken.None);

        // The store wipe runs next: no client may still be running (and writing keys) by then.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => link.RequestPairingCodeAsync("+15551234567", CancellationToken.None));
        Assert.Contains("only while unpaired and connected", refused.Message, StringComparison.Ordinal);
        await ((Core.Reset.IResetParticipant)link).ResumeAsync(Core.Reset.ResetKind.Relink, CancellationToken.None);
    }

    [Fact]
    public async Task CliReset_RefusedForAnotherReasonThanUndelivered_ExitsOne()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        await using var gateway = await InProcessGateway.StartAsync(emulator, State, testOutput);
        Assert.True(gateway.Machine.TryFire(new Core.State.StateChange(Core.State.GatewayTrigger.UpdateStarted, "updating")));

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await global::WaSms.Gateway.Cli.GatewayCli.RunAsync(["reset", "--state-dir", State], new System.Collections.Hashtable(), output, error, CancellationToken.None);

        Assert.Equal(1, code); // not 2: there is nothing to confirm
        Assert.Equal("wasms-gateway: Relink is not possible while updating", error.ToString().Trim());
    }
}
