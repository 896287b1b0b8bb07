using System.Text.Json;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>The real binary as systemd runs it: notify socket, watchdog, SIGTERM, exit codes, CLI.</summary>
public sealed class GatewayProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StateDir => _dir.File("state");

    [Fact]
    public async Task Run_UnderSystemd_ReadyStatusWatchdogThenStoppingOnSigterm()
    {
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--state-dir", StateDir],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "400000" });

        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30));
        var status = await notify.WaitForAsync(m => m.StartsWith("STATUS=", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal("STATUS=unpaired: Not linked to WhatsApp yet", status);
        for (var i = 0; i < 3; i++)
        {
            await notify.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(5));
        }
        // The frame is drawn by the display loop, not before READY: under load it can trail the pings.
        var frame = Path.Combine(StateDir, "display", "current.png");
        await Eventually.UntilAsync(() => File.Exists(frame), TimeSpan.FromSeconds(30), $"{frame} written after READY");

        var (code, output, _) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", StateDir]);
        Assert.Equal(0, code);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal("unpaired", json.RootElement.GetProperty("state").GetString());
            Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("reason").GetString()));
            Assert.True(json.RootElement.GetProperty("since").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
            Assert.Equal("simulated", json.RootElement.GetProperty("board").GetProperty("kind").GetString());
        }

        gateway.Signal("TERM");
        await notify.WaitForAsync(m => m == "STOPPING=1", TimeSpan.FromSeconds(10));
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.False(File.Exists(Path.Combine(StateDir, "control.sock")));
        Assert.Contains("<6>", gateway.Output, StringComparison.Ordinal);
        Assert.All(gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(@"^<[0-7]>", line));
    }

    [Fact]
    public async Task Status_NothingRunning_ExitCode3()
    {
        var (code, _, error) = await GatewayProcess.RunAsync(["status", "--state-dir", StateDir]);

        Assert.Equal(3, code);
        Assert.Contains("not running", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadConfigValue_Exit78WithKeyValueAndFile()
    {
        var config = _dir.File("gateway.json");
        await File.WriteAllTextAsync(config, """{ "Mqtt": { "Port": 99999 } }""");

        var (code, output, error) = await GatewayProcess.RunAsync(["run", "--config", config, "--state-dir", StateDir]);

        Assert.Equal(78, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Mqtt:Port", line, StringComparison.Ordinal);
        Assert.Contains("\"99999\"", line, StringComparison.Ordinal);
        Assert.Contains(config, line, StringComparison.Ordinal);
        Assert.Empty(output);
        Assert.False(Directory.Exists(StateDir)); // nothing was started
    }

    [Fact]
    public async Task Run_BadValueFromEnvironment_Exit78NamingTheVariable()
    {
        var (code, _, error) = await GatewayProcess.RunAsync(["run", "--state-dir", StateDir],
            new Dictionary<string, string> { ["Board__Kind"] = "Toaster" });

        Assert.Equal(78, code);
        Assert.Contains("Board:Kind = \"Toaster\" (from environment variable Board__Kind)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_UnknownCommand_ExitCode64()
    {
        var (code, _, error) = await GatewayProcess.RunAsync(["frobnicate"]);

        Assert.Equal(64, code);
        Assert.Contains("unknown command", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_NeverReachTheLogs()
    {
        const string Token = "PLANTED-platform-token-4b1d";
        const string Password = "PLANTED-mqtt-password-77aa";
        var config = _dir.File("gateway.json");
        var logFile = _dir.File("gateway.log");
        await File.WriteAllTextAsync(config, $$"""{ "Tunnel": { "Token": "{{Token}}" }, "Log": { "Level": "Verbose", "File": "{{logFile}}" } }""");
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--config", config, "--state-dir", StateDir],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WASMS_MQTT__PASSWORD"] = Password });
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30));

        // Exercise the paths that log: linking (session keys are made and stored), CLI requests, a button press, a reset.
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));
        Assert.Equal(0, (await GatewayProcess.RunAsync(["dev", "scan", "--state-dir", StateDir])).ExitCode);
        await notify.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(20));
        var sessionKeys = await ReadPrivateKeysAsync(Path.Combine(StateDir, "gateway.db"));
        Assert.Equal(3, sessionKeys.Count);
        await GatewayProcess.RunAsync(["status", "--state-dir", StateDir]);
        await GatewayProcess.RunAsync(["press", "--state-dir", StateDir]);
        await GatewayProcess.RunAsync(["reset", "--state-dir", StateDir]);
        gateway.Signal("TERM");
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15));

        var everything = gateway.Output + gateway.Error + string.Concat(Directory.GetFiles(_dir.Path, "gateway*.log").Select(File.ReadAllText))
                         + string.Join("\n", notify.All);
        Assert.Contains("Tunnel:Url=(none) Token=(set)", everything, StringComparison.Ordinal); // the settings were logged…
        Assert.DoesNotContain("PLANTED", everything, StringComparison.Ordinal);                 // …without their values
        foreach (var key in sessionKeys)
        {
            Assert.DoesNotContain(Convert.ToHexString(key), everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToBase64String(key), everything, StringComparison.Ordinal);
        }
    }

    /// <summary>The WhatsApp session's private keys as stored (noise, identity, signed prekey).</summary>
    private static async Task<List<byte[]>> ReadPrivateKeysAsync(string database)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM secrets WHERE scope = 'whatsapp' AND name IN ('noise-key', 'identity-key', 'signed-prekey')";
        var keys = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add((byte[])reader.GetValue(0));
        }
        return keys;
    }

    [Fact]
    public async Task Press_HoldPastRelink_RunsTheResetPathAndShowsPairingAgain()
    {
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--state-dir", StateDir, "--Board:RelinkHold=00:00:01", "--Board:FactoryResetHold=00:00:03"],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30));

        var (code, output, _) = await GatewayProcess.RunAsync(["press", "--hold", "1.2", "--state-dir", StateDir]);

        Assert.Equal(0, code);
        Assert.Contains("Relink", output, StringComparison.Ordinal);
        await notify.WaitForAsync(m => m.StartsWith("STATUS=resetting", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Relink done; link WhatsApp again", TimeSpan.FromSeconds(10));

        var reset = await GatewayProcess.RunAsync(["reset", "--state-dir", StateDir]);
        Assert.Equal(0, reset.ExitCode);
        Assert.Contains("Relink done", reset.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SecondInstanceOnTheSameStateDir_Refuses()
    {
        using var notify = new NotifyListener();
        using var first = GatewayProcess.Start(["run", "--simulate", "--state-dir", StateDir], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30));

        var (code, output, _) = await GatewayProcess.RunAsync(["run", "--simulate", "--state-dir", StateDir]);

        Assert.NotEqual(0, code);
        Assert.Contains("Another gateway is already running", output, StringComparison.Ordinal);
        var status = await GatewayProcess.RunAsync(["status", "--state-dir", StateDir]);
        Assert.Equal(0, status.ExitCode); // the first one is unharmed
    }

    [Fact]
    public async Task DevMode_QrOnScreen_ScanLinksAndStatusShowsTheAccount()
    {
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--state-dir", StateDir], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));

        var qr = await GatewayProcess.RunAsync(["qr", "--state-dir", StateDir]);
        Assert.Equal(0, qr.ExitCode);
        Assert.Contains("Linked devices", qr.Output, StringComparison.Ordinal);

        var scan = await GatewayProcess.RunAsync(["dev", "scan", "--state-dir", StateDir]);
        Assert.True(scan.ExitCode == 0, scan.Error);
        await notify.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(20));

        var (code, output, _) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", StateDir]);
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("online", json.RootElement.GetProperty("state").GetString());
        Assert.StartsWith("15555550123:", json.RootElement.GetProperty("account").GetProperty("jid").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevMode_PairCode_ShownThenEnteredByThePhone_GoesOnline()
    {
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--state-dir", StateDir], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));

        var bad = await GatewayProcess.RunAsync(["pair-code", "0123", "--state-dir", StateDir]);
        Assert.Equal(64, bad.ExitCode); // a usage error, like every other malformed argument
        var code = await GatewayProcess.RunAsync(["pair-code", "+1 555 555 0123", "--state-dir", StateDir]);
        Assert.True(code.ExitCode == 0, code.Error);
        Assert.Matches(@"Pairing code [1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}", code.Output);
        // The CLI and the status reason give the screen's menu path, word for word.
        Assert.Contains(WaSms.Gateway.LinkTexts.PhoneNumberPath, code.Output, StringComparison.Ordinal);
        await notify.WaitForAsync(m => m == $"STATUS=unpaired: On your phone: {WaSms.Gateway.LinkTexts.PhoneNumberPath}, then enter the code", TimeSpan.FromSeconds(10));
        var (_, statusJson, _) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", StateDir]);
        using (var json = JsonDocument.Parse(statusJson))
        {
            Assert.Matches("^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$", json.RootElement.GetProperty("pairing").GetProperty("pairingCode").GetString());
        }

        var entered = await GatewayProcess.RunAsync(["dev", "code", "--state-dir", StateDir]);
        Assert.True(entered.ExitCode == 0, entered.Error);
        await notify.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(30));
    }
}
