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
public sealed class InProcessHostTests : IDisposable
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
        };
        var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        var logger = RunCommand.CreateLogger(new LogOptions(), new SecretRedactor());
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
