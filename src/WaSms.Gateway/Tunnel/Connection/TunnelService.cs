using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Health;
using WaSms.Core.State;

namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>
/// Keeps the one connection to the platform (docs/tunnel.md §9): waits for the clock and for an
/// enrollment, connects, and after a failure waits a full-jitter backoff; a terminal error stops it
/// until a new enrollment code arrives (or a restart). Every attempt after the first is counted.
/// </summary>
/// <param name="clock">The wait for a trustworthy clock before TLS; null: the build-date check only (no time-sync flag).</param>
public sealed class TunnelService(TunnelParts parts, TunnelConnector connector, GatewayStateMachine machine, HealthCounters counters, Random random,
    ClockGate? clock = null)
    : BackgroundService
{
    private readonly Backoff _backoff = new(random);
    private readonly ClockGate _clock = clock ?? new ClockGate(new Configuration.TunnelOptions { TimeSyncFlag = "" }, parts.Time);

    /// <summary>Connection attempts made (the first included).</summary>
    public int Attempts { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var feed = new StateFeed(machine, parts.Time, _ => parts.StateChanged.Pulse());
        await feed.StartAsync(stoppingToken);
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await feed.StopAsync(CancellationToken.None);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        // What the store remembers: the code already exchanged is not sent again, and a revoked enrollment shows why
        // after a restart as it did before it, until a new code arrives.
        var (spent, stopped) = await parts.Identity.GetEnrollmentHistoryAsync(stoppingToken);
        parts.Codes.MarkSpent(spent);
        while (true)
        {
            await _clock.WaitAsync(parts.Status, stoppingToken); // may show waiting-for-clock meanwhile
            var codeChanged = parts.Codes.Changed;
            if (await parts.Identity.GetEnrollmentAsync(stoppingToken) is null && parts.Codes.Current() is null)
            {
                // A stop (revoked, a rejected code; from the store after a restart) keeps saying why until a new code arrives.
                parts.Status.Set(stopped is null ? PlatformLinkState.NotEnrolled : PlatformLinkState.Stopped, stopped ?? "waiting for an enrollment code");
                await codeChanged.WaitAsync(stoppingToken);
                continue;
            }
            stopped = null;
            if (Attempts++ > 0)
            {
                counters.TunnelReconnected();
            }
            parts.Status.Set(PlatformLinkState.Connecting, connector.Endpoint.Host);
            var end = await ConnectOnceAsync(stoppingToken);
            if (end.Welcomed && end.Lived >= Backoff.HealthyAfter)
            {
                _backoff.Reset();
            }
            if ((end.After ?? await parts.Commands.PendingResetAsync(stoppingToken)) is { } after)
            {
                await RunAfterAsync(after, stoppingToken);
                continue;
            }
            if (end.Terminal)
            {
                parts.Log.LogError("Tunnel stopped: {Reason}; waiting for a new enrollment code or a restart", end.Reason);
                parts.Status.Set(PlatformLinkState.Stopped, end.Reason);
                stopped = end.Reason;
                await codeChanged.WaitAsync(stoppingToken);
                _backoff.Reset();
                continue;
            }
            // A rate limit's retryAfter is a floor: never sooner, and repeated limits still back off.
            var delay = end.ErrorCode == Protocol.TunnelErrors.Replaced ? _backoff.LongestDelay()
                : end.RetryAfter is { } floor ? TimeSpan.FromTicks(Math.Max(floor.Ticks, _backoff.NextDelay().Ticks))
                : _backoff.NextDelay();
            parts.Log.LogWarning("Tunnel: {Reason}; next attempt in {Delay:0.0} s", end.Reason, delay.TotalSeconds);
            parts.Status.Set(end.Refused ? PlatformLinkState.Refused : PlatformLinkState.Unreachable,
                end.RetryAfter is not null ? $"{end.Reason} (next attempt in {Math.Ceiling(delay.TotalSeconds):0} s)" : end.Reason);
            await Task.Delay(delay, parts.Time, stoppingToken);
        }
    }

    private async Task<SessionEnd> ConnectOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            var socket = await connector.ConnectAsync(stoppingToken);
            await using var frames = new FrameSocket(socket);
            return await new TunnelSession(parts, frames).RunAsync(stoppingToken);
        }
        catch (TunnelConnectException ex)
        {
            return new SessionEnd(ex.Message, Terminal: ex.Terminal, Refused: ex.Refused);
        }
    }

    private async Task RunAfterAsync(Func<CancellationToken, Task> after, CancellationToken stoppingToken)
    {
        try
        {
            await after(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            parts.Log.LogError("Tunnel: the platform's reset failed: {Problem}", ex.Message);
        }
    }
}
