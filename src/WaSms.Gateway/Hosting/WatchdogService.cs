using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using WaSms.Core.Liveness;

namespace WaSms.Gateway.Hosting;

/// <summary>
/// Sends WATCHDOG=1 every half watchdog period, but only while every critical loop has proved
/// progress. A hung loop stops the pings, and systemd restarts the service.
/// </summary>
public sealed class WatchdogService(
    SystemdSettings settings,
    ISystemdNotifier notifier,
    LivenessMonitor liveness,
    TimeProvider time,
    ILogger<WatchdogService> log) : BackgroundService
{
    public static readonly ServiceState Ping = new("WATCHDOG=1");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.WatchdogInterval is not { } interval || !notifier.IsEnabled)
        {
            return;
        }
        log.LogInformation("systemd watchdog: pinging every {Interval} while {Loops} are alive",
            interval, string.Join(", ", liveness.LoopNames));
        using var timer = new PeriodicTimer(interval, time);
        IReadOnlyList<string> previouslyStalled = [];
        do
        {
            var stalled = liveness.FindStalledLoops();
            if (stalled.Count == 0)
            {
                notifier.Notify(Ping);
                if (previouslyStalled.Count > 0)
                {
                    log.LogWarning("Critical loops recovered: {Loops}", string.Join(", ", previouslyStalled));
                }
            }
            else if (!stalled.SequenceEqual(previouslyStalled))
            {
                log.LogError("Critical loop(s) stalled: {Loops}; withholding the watchdog ping", string.Join(", ", stalled));
            }
            previouslyStalled = stalled;
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
