using System.Text.Json;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// Issue 9: the real binary fails cleanly (one line, a documented exit code) where it crashed or took
/// over what was not its own — state directory, log file, signals, a frozen or stopping gateway.
/// </summary>
public sealed class CleanFailureTests : IDisposable
{
    private const UnixFileMode Mode1777 = (UnixFileMode)0x3FF;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StateDir => _dir.File("state");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task StateDir_WritableByOthers_IsRefusedAndItsModeLeftAlone()
    {
        var shared = _dir.File("shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, Mode1777);
        await File.WriteAllTextAsync(Path.Combine(shared, "someone-elses.txt"), "x");

        var (code, output, error) = await GatewayProcess.RunAsync(["run", "--simulate", "--state-dir", shared]);

        Assert.Equal(78, code);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith($"wasms-gateway: invalid configuration: Gateway:StateDirectory = \"{shared}\" (from the command line (--state-dir)): can be written by other users (mode 1777)", line, StringComparison.Ordinal);
        Assert.Empty(output);
        Assert.Equal(Mode1777, File.GetUnixFileMode(shared));
        Assert.Equal(["someone-elses.txt"], Directory.GetFiles(shared).Select(Path.GetFileName));
    }

    [Fact]
    public async Task StateDir_OwnedByAnotherUser_IsRefused()
    {
        var foreign = _dir.File("foreign");
        Directory.CreateDirectory(foreign);
        File.SetUnixFileMode(foreign, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // As root (CI) the directory is given away; as anyone else, "/" already belongs to root.
        var path = Environment.UserName == "root" ? foreign : "/";
        if (path == foreign)
        {
            using var chown = System.Diagnostics.Process.Start("chown", ["65534", foreign])!;
            await chown.WaitForExitAsync();
            Assert.Equal(0, chown.ExitCode);
        }

        var (code, _, error) = await GatewayProcess.RunAsync(["run", "--simulate", "--state-dir", path]);

        Assert.Equal(78, code);
        Assert.Contains("Gateway:StateDirectory", Assert.Single(Lines(error)), StringComparison.Ordinal);
        Assert.Contains("belongs to another user", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(foreign));
    }

    [Theory]
    [InlineData("file", "is a file, not a directory")]
    [InlineData("/proc/x", "cannot be created")]
    public async Task StateDir_Unusable_IsAConfigurationError(string which, string expected)
    {
        var path = which == "file" ? _dir.File("plain-file") : which;
        if (which == "file")
        {
            await File.WriteAllTextAsync(path, "not a directory");
        }

        var (code, _, error) = await GatewayProcess.RunAsync(["run", "--simulate", "--state-dir", path]);

        Assert.Equal(78, code); // not 65, which means "database from a newer firmware"
        var line = Assert.Single(Lines(error));
        Assert.Contains($"Gateway:StateDirectory = \"{path}\"", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateDir_Empty_IsOneLineNotACrash()
    {
        var (code, output, error) = await GatewayProcess.RunAsync(["status", "--Gateway:StateDirectory="]);

        Assert.Equal(78, code);
        Assert.Empty(output);
        Assert.Equal("wasms-gateway: invalid configuration: Gateway:StateDirectory = \"\" (from the command line (--Gateway:StateDirectory)): must not be empty",
            Assert.Single(Lines(error)));
    }

    [Theory]
    [InlineData("directory", "is a directory")]
    [InlineData("missing", "does not exist")]
    [InlineData("read-only", "is not writable")]
    public async Task LogFile_Unusable_IsRefused(string which, string expected)
    {
        var file = which switch
        {
            "directory" => _dir.Path,
            "missing" => _dir.File("no-such-dir/gateway.log"),
            _ => "/proc/gateway.log",
        };

        var (code, _, error) = await GatewayProcess.RunAsync(["run", "--simulate", "--state-dir", StateDir, $"--Log:File={file}"]);

        Assert.Equal(78, code);
        var line = Assert.Single(Lines(error));
        Assert.Contains($"Log:File = \"{file}\" (from the command line (--Log:File))", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_ReloadsTheLogLevel_AndTheServiceKeepsRunning()
    {
        var config = _dir.File("gateway.json");
        await File.WriteAllTextAsync(config, """{ "Log": { "Level": "Information" } }""");
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--config", config, "--state-dir", StateDir, "--Tunnel:Token=PLANTED-cli-token-5e1f"],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30));
        // A state directory the service creates itself is its own: 0700.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(StateDir));
        // A secret on the command line is visible through ps: warned about by name, never by value.
        Assert.Contains("Tunnel:Token was given on the command line (--Tunnel:Token)", gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PLANTED-cli-token", gateway.Output + gateway.Error, StringComparison.Ordinal);

        await File.WriteAllTextAsync(config, """{ "Log": { "Level": "Debug" } }""");
        gateway.Signal("HUP");
        await WaitForOutputAsync(gateway, "SIGHUP: configuration re-read; log level Information -> Debug");

        Assert.False(gateway.HasExited);
        var status = await GatewayProcess.RunAsync(["status", "--state-dir", StateDir]);
        Assert.True(status.ExitCode == 0, status.Error);
        // A broken file on SIGHUP keeps the running settings.
        await File.WriteAllTextAsync(config, """{ "Log": { "Level": "Loud" } }""");
        gateway.Signal("HUP");
        await WaitForOutputAsync(gateway, "SIGHUP: configuration not reloaded");
        Assert.False(gateway.HasExited);

        gateway.Signal("TERM");
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void Sighup_ReloadFailsWithAnyOtherException_WarnsWithoutItsMessage_KeepsTheLevel()
    {
        var events = new List<Serilog.Events.LogEvent>();
        using var logger = new Serilog.LoggerConfiguration().WriteTo.Sink(new CollectingSink(events)).CreateLogger();
        var level = new Serilog.Core.LoggingLevelSwitch(Serilog.Events.LogEventLevel.Information);

        // Before: this escaped on the signal thread and ended the service.
        global::WaSms.Gateway.Hosting.RunCommand.Reload(() => throw new InvalidOperationException("PLANTED-secret-value"), level, logger);

        Assert.Equal(Serilog.Events.LogEventLevel.Information, level.MinimumLevel);
        var warning = Assert.Single(events);
        Assert.Equal(Serilog.Events.LogEventLevel.Warning, warning.Level);
        var text = warning.RenderMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("SIGHUP: configuration not reloaded", text, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain("PLANTED", text, StringComparison.Ordinal);
    }

    private sealed class CollectingSink(List<Serilog.Events.LogEvent> events) : Serilog.Core.ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent logEvent) => events.Add(logEvent);
    }

    [Fact]
    public async Task Status_AgainstAFrozenGateway_SaysItDidNotAnswer()
    {
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--state-dir", StateDir], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30));
        gateway.Signal("STOP");
        try
        {
            var (code, output, error) = await GatewayProcess.RunAsync(["status", "--timeout", "1", "--state-dir", StateDir]);
            Assert.Equal(1, code);
            Assert.Empty(output);
            Assert.Equal("wasms-gateway: the gateway did not answer within 1 s (running but stuck or stopped?)", Assert.Single(Lines(error)));

            var json = await GatewayProcess.RunAsync(["status", "--json", "--timeout", "0.5", "--state-dir", StateDir]);
            Assert.Equal(1, json.ExitCode);
            using var document = JsonDocument.Parse(json.Output);
            Assert.Equal("not-answering", document.RootElement.GetProperty("state").GetString());
            Assert.True(document.RootElement.GetProperty("running").GetBoolean());
            Assert.Contains("within 0.5 s", document.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            gateway.Signal("CONT");
        }
        Assert.Equal(0, (await GatewayProcess.RunAsync(["status", "--state-dir", StateDir])).ExitCode);
    }

    [Fact]
    public async Task Press_WhileTheGatewayStops_IsOneLineAndExit1()
    {
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--state-dir", StateDir], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30));
        using var press = GatewayProcess.Start(["press", "--hold", "15", "--state-dir", StateDir]);
        // The press is in flight once the gateway reports the button down.
        await Eventually.UntilAsync(ButtonDownAsync, TimeSpan.FromSeconds(30), "the press reached the gateway");

        gateway.Signal("TERM");
        var code = await press.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, code);
        var line = Assert.Single(Lines(press.Error));
        Assert.StartsWith("wasms-gateway: the gateway closed the connection without answering", line, StringComparison.Ordinal);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task StatusJson_NothingRunning_IsAJsonObjectAndExit3()
    {
        var (code, output, error) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", StateDir]);

        Assert.Equal(3, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("not-running", json.RootElement.GetProperty("state").GetString());
        Assert.False(json.RootElement.GetProperty("running").GetBoolean());
        Assert.Contains("not running", json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Single(Lines(error));
    }

    private async Task<bool> ButtonDownAsync()
    {
        var (code, output, _) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", StateDir]);
        if (code != 0)
        {
            return false;
        }
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("board").GetProperty("buttonDown").GetBoolean();
    }

    private static Task WaitForOutputAsync(GatewayProcess gateway, string text) =>
        Eventually.UntilAsync(() => gateway.Output.Contains(text, StringComparison.Ordinal), Eventually.DefaultTimeout, $"\"{text}\" in the log",
            () => $"{gateway.Output}\n{gateway.Error}");
}
