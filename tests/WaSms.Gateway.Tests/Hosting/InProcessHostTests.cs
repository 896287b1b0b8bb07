using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Hosting;
using WaSms.Gateway.Logging;
using WaSms.Hardware.Board;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>The whole host in this process, with its notify socket pointed at a test listener.</summary>
public sealed class InProcessHostTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly NotifyListener _notify = new();

    public void Dispose()
    {
        _notify.Dispose();
        _dir.Dispose();
    }

    private async Task<IHost> BuildAsync(Action<IServiceCollection>? configure = null)
    {
        var settings = new GatewaySettings
        {
            Gateway = new GatewayOptions { StateDirectory = _dir.Path },
            Board = new BoardOptions { Kind = BoardKind.Simulated },
            // Nothing listens there: the WhatsApp link keeps failing quietly, so these tests alone move the state.
            WhatsApp = new WhatsAppOptions { ServerUrl = "ws://127.0.0.1:9/ws/chat" },
        };
        var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        var logger = TestLog.Create(output);
        return GatewayHost.Build(settings, new SystemdSettings(_notify.Path, TimeSpan.FromMilliseconds(100)), store, logger, TimeProvider.System, configure);
    }

    [Fact]
    public async Task Ready_IsSentOnlyAfterTheStoreIsOpenAndTheMachineLeftBooting()
    {
        using var host = await BuildAsync();
        var machine = host.Services.GetRequiredService<GatewayStateMachine>();
        GatewayState? stateAtReady = null;
        var ready = _notify.WaitForAsync(m =>
        {
            if (m != "READY=1")
            {
                return false;
            }
            stateAtReady = machine.Current.State;
            return true;
        }, TimeSpan.FromSeconds(20));

        await host.StartAsync();
        await ready;

        Assert.Equal(GatewayState.Unpaired, stateAtReady);
        await host.StopAsync();
        await _notify.WaitForAsync(m => m == "STOPPING=1", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Watchdog_HungCriticalLoop_StopsThePings()
    {
        var hang = new ManualResetEventSlim(false);
        using var host = await BuildAsync(services => services.AddHostedService(sp =>
            new HangableLoop(sp.GetRequiredService<LivenessMonitor>(), hang)));
        await host.StartAsync();
        await _notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(20));
        for (var i = 0; i < 5; i++)
        {
            await _notify.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(5));
        }

        hang.Set(); // the loop now blocks forever, like a wedged SPI transfer
        await Task.Delay(TimeSpan.FromMilliseconds(700)); // past its 300 ms allowance
        var before = _notify.All.Count(m => m == "WATCHDOG=1");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = _notify.All.Count(m => m == "WATCHDOG=1");

        Assert.Equal(before, after);
        Assert.Contains("hangable", host.Services.GetRequiredService<LivenessMonitor>().FindStalledLoops());
        await host.StopAsync();
    }

    [Fact]
    public async Task StatusLine_FollowsEveryStateChange()
    {
        using var host = await BuildAsync();
        await host.StartAsync();
        await _notify.WaitForAsync(m => m == "STATUS=unpaired: Not linked to WhatsApp yet", TimeSpan.FromSeconds(20));
        var machine = host.Services.GetRequiredService<GatewayStateMachine>();

        machine.TryFire(new StateChange(GatewayTrigger.PairingStarted, "Phone scanned the code"));

        await _notify.WaitForAsync(m => m == "STATUS=pairing: Phone scanned the code", TimeSpan.FromSeconds(5));
        await host.StopAsync();
    }

    [Fact]
    public async Task NewQr_ReachesTheFrameFileAndTheQrCommand()
    {
        const string Qr = "2@y8D7rE0vQkH3mN5pL1sT9wX4cB6aZ2fG8jK0uY3iO7eR5tW1qA9sD4fG6hJ2kL8zX0cV3bN7mQ5wE1rT9yU4iO6pA2sD8fG0hJ3,"
            + "NoiseKeyNoiseKeyNoiseKeyNoiseKeyNoiseKeyAA=,IdentityKeyIdentityKeyIdentityKeyIdentityK=,AdvSecretAdvSecretAdvSecretAdvSecretAdvSeAA=,CHROME";
        using var host = await BuildAsync();
        await host.StartAsync();
        await _notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(20));
        var machine = host.Services.GetRequiredService<GatewayStateMachine>();

        machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Scan the code",
            new PairingInfo(Qr, DateTimeOffset.UtcNow.AddSeconds(60), RefNumber: 1, RefCount: 6)));

        var png = Path.Combine(_dir.Path, "display", "current.png");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? decoded = null;
        while (DateTime.UtcNow < deadline && decoded != Qr)
        {
            await Task.Delay(100);
            decoded = File.Exists(png) ? TryZbar(png) : null;
        }
        Assert.Equal(Qr, decoded);

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await WaSms.Gateway.Cli.GatewayCli.RunAsync(["qr", "--state-dir", _dir.Path], new System.Collections.Hashtable(), output, error, CancellationToken.None);
        Assert.Equal(0, code);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains('▄', StringComparison.Ordinal) || l.Contains('▀', StringComparison.Ordinal));
        Assert.Contains("Linked devices", lines[^1], StringComparison.Ordinal);
        await host.StopAsync();
    }

    private static string? TryZbar(string png)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("zbarimg", ["-q", "--raw", png]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(psi)!;
        var text = process.StandardOutput.ReadToEnd().TrimEnd('\n');
        process.WaitForExit();
        return process.ExitCode == 0 ? text : null;
    }

    /// <summary>A critical loop that beats every 50 ms until told to hang.</summary>
    private sealed class HangableLoop(LivenessMonitor liveness, ManualResetEventSlim hang) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var heartbeat = liveness.Register("hangable", TimeSpan.FromMilliseconds(300));
            while (!stoppingToken.IsCancellationRequested)
            {
                if (hang.IsSet)
                {
                    await Task.Delay(Timeout.Infinite, stoppingToken);
                }
                heartbeat.Beat();
                await Task.Delay(50, stoppingToken);
            }
        }
    }
}
