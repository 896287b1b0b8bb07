using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
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

    private async Task<IHost> BuildAsync(Action<IServiceCollection>? configure = null, TimeProvider? time = null, ICollection<string>? log = null)
    {
        time ??= TimeProvider.System;
        var settings = new GatewaySettings
        {
            Gateway = new GatewayOptions { StateDirectory = _dir.Path },
            Board = new BoardOptions { Kind = BoardKind.Simulated },
            // Nothing listens there: the WhatsApp link keeps failing quietly, so these tests alone move the state.
            WhatsApp = new WhatsAppOptions { ServerUrl = "ws://127.0.0.1:9/ws/chat" },
        };
        var store = await GatewayStore.OpenAsync(_dir.Path, time, NullLogger.Instance, CancellationToken.None);
        var logger = TestLog.Create(output, log);
        return GatewayHost.Build(settings, new SystemdSettings(_notify.Path, TimeSpan.FromMilliseconds(100)), store, logger, time, configure);
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
        // The host runs on a fake clock: the watchdog's 100 ms period and the loop's 300 ms allowance
        // pass only when the test moves the clock, so no real wait decides the outcome.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new List<string>();
        var loop = new HangableLoop(time);
        using var host = await BuildAsync(services => services.AddHostedService(sp => loop.Attach(sp.GetRequiredService<LivenessMonitor>())), time, log);
        await host.StartAsync();
        await _notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(20));
        for (var i = 0; i < 5; i++)
        {
            await loop.BeatenAtAsync(time.GetUtcNow());
            time.Advance(WatchdogPeriod);
            await _notify.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(5));
        }

        loop.Hang(); // the loop now blocks, like a wedged SPI transfer
        time.Advance(TimeSpan.FromMilliseconds(400)); // past its 300 ms allowance
        await EventuallyAsync(() => Logged(log, "Critical loop(s) stalled: hangable; withholding the watchdog ping"));
        await _notify.FlushAsync();
        var before = _notify.All.Count(m => m == "WATCHDOG=1");
        for (var i = 0; i < 10; i++)
        {
            time.Advance(WatchdogPeriod); // a second of the clock, ten watchdog periods
            await Task.Yield();
        }
        await _notify.FlushAsync();
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
        string? decoded = null;
        await Eventually.UntilAsync(() => (decoded = File.Exists(png) ? TryZbar(png) : null) == Qr, Eventually.DefaultTimeout, $"the QR code in {png}",
            () => $"last read: {decoded ?? "none"}");
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

    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(100);

    private static bool Logged(List<string> log, string text)
    {
        lock (log)
        {
            return log.Any(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Waits for something the host does on its own tasks once the clock has moved.</summary>
    private static Task EventuallyAsync(Func<bool> condition) =>
        Eventually.UntilAsync(condition, Eventually.DefaultTimeout, "the host acted once the clock moved");

    /// <summary>A critical loop that beats every 50 ms of <paramref name="time"/> until told to hang.</summary>
    private sealed class HangableLoop(TimeProvider time) : BackgroundService
    {
        private LivenessMonitor? _liveness;
        private volatile bool _hung;
        private long _lastBeatTicks;

        public HangableLoop Attach(LivenessMonitor liveness)
        {
            _liveness = liveness;
            return this;
        }

        public void Hang() => _hung = true;

        /// <summary>Waits until the loop has beaten at <paramref name="at"/> or later.</summary>
        public async Task BeatenAtAsync(DateTimeOffset at)
        {
            await Eventually.UntilAsync(() => Interlocked.Read(ref _lastBeatTicks) >= at.UtcTicks, Eventually.DefaultTimeout, "the loop beat");
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var heartbeat = _liveness!.Register("hangable", TimeSpan.FromMilliseconds(300));
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_hung)
                {
                    await Task.Delay(Timeout.Infinite, stoppingToken);
                }
                heartbeat.Beat();
                Interlocked.Exchange(ref _lastBeatTicks, time.GetUtcNow().UtcTicks);
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, stoppingToken);
            }
        }
    }
}
