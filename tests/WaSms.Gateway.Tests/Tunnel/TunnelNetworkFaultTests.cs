using WaSms.Core.State;
using System.Net;
using WaSms.Emulators.Platform;
using WaSms.Gateway.Tunnel.Connection;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>
/// Network faults between the gateway's tunnel service and the platform emulator, through a
/// <see cref="LoopbackProxy"/> (real TLS and WebSocket on loopback). The gateway runs on a fake clock, so
/// minutes of outage take seconds: the clock moves on only while the gateway waits on it (a backoff, a
/// connect or ping deadline), never while it does real network work. Its backoff draws from a seeded
/// random source, so the schedule of docs/tunnel.md §9 (full jitter, doubling, cap 60 s) is replayed
/// beside it with the same seed and the attempts are counted against it: no reconnect storm, and once the
/// network is back one attempt, within one backoff step, connects.
/// </summary>
public sealed class TunnelNetworkFaultTests(ITestOutputHelper output)
{
    private const int Seed = 1212;
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    /// <summary>How many backoff delays the service has drawn (one per failed attempt or lost link; none reset: no link lived 60 s).</summary>
    private int _drawn;

    [Fact]
    public async Task AfterDropsStallsAndABlackHoleTheGatewayReconnectsWithinOneBackoffStepWithoutAStorm()
    {
        using var dir = new TempDirectory();
        await using var platform = await PlatformEmulator.StartAsync(dir.File("platform"), 0, 0, TimeProvider.System, log: null, settings: null, CancellationToken.None);
        await using var proxy = new LoopbackProxy(new IPEndPoint(IPAddress.Loopback, platform.TunnelUri.Port));
        var code = await platform.IssueCodeAsync(CancellationToken.None);
        await using var rig = await TunnelRig.StartAsync(o =>
        {
            o.Url = $"wss://127.0.0.1:{proxy.Port}/tunnel";
            o.CaFile = platform.CaFile;
            o.EnrollmentCode = code;
        });
        var reasons = new List<string>();
        // Every platform-link reason the machine carries (a subscriber skips only to newer snapshots,
        // and each reason below holds for a whole backoff step).
        using var subscription = rig.Machine.Subscribe();
        using var stopReading = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var snapshot = await subscription.NextAsync(stopReading.Token);
                    if (snapshot.Platform is { } link)
                    {
                        lock (reasons) { reasons.Add($"{link.StateName}: {link.Reason}"); }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        using var service = new TunnelService(rig.Parts, rig.Connector(), rig.Machine, rig.Counters, new Random(Seed));

        await service.StartAsync(CancellationToken.None);
        await DriveUntilAsync(rig, proxy, () => rig.Status.Current.State == PlatformLinkState.Connected, "the first connection");
        Assert.Equal((1, 1), (service.Attempts, proxy.Accepted));

        // 1. Connections reset for five minutes: every attempt fails at once, then waits out its backoff.
        var expected = Expected(attemptTakes: TimeSpan.Zero);
        var attempts = await OutageAsync(rig, service, proxy, ProxyMode.Drop, "drop");
        Assert.InRange(attempts, expected - 2, expected); // the fake clock moves in steps of 250 ms: an attempt at the boundary may fall after the end
        await RecoverAsync(rig, service, proxy, "drop");

        // 2. A black hole: the open link goes silent, which the ping deadline finds half-open; new links stall until
        //    the connect timeout. The last link lived under 60 s, so the schedule goes on where it was.
        expected = Expected(attemptTakes: TunnelConnector.ConnectTimeout);
        attempts = await OutageAsync(rig, service, proxy, ProxyMode.BlackHole, "black hole");
        lock (reasons)
        {
            Assert.Contains(reasons, r => r.StartsWith("unreachable: half-open: nothing from the platform for 30 s", StringComparison.Ordinal));
        }
        Assert.InRange(attempts, expected - 2, expected);
        await RecoverAsync(rig, service, proxy, "black hole");

        // 3. Stalled: new connections are accepted and then get nothing (the open link is reset first, as stalling leaves it alone).
        proxy.Mode = ProxyMode.Drop;
        expected = Expected(attemptTakes: TunnelConnector.ConnectTimeout);
        attempts = await OutageAsync(rig, service, proxy, ProxyMode.Stall, "stall");
        Assert.InRange(attempts, expected - 2, expected);
        await RecoverAsync(rig, service, proxy, "stall");
        lock (reasons)
        {
            Assert.Contains(reasons, r => r.StartsWith($"unreachable: no answer from 127.0.0.1 within {TunnelConnector.ConnectTimeout.TotalSeconds:0} s", StringComparison.Ordinal));
        }

        Assert.Equal(service.Attempts, proxy.Accepted);
        Assert.Equal(service.Attempts - 1, rig.Counters.TunnelReconnects);
        await service.StopAsync(CancellationToken.None);
        await stopReading.CancelAsync();
        await reading;
    }

    /// <summary>
    /// The attempts docs/tunnel.md §9's schedule makes in <see cref="Outage"/> after the link is lost, each failing after
    /// <paramref name="attemptTakes"/>: the service's own draws, replayed from the same seed.
    /// </summary>
    private int Expected(TimeSpan attemptTakes)
    {
        var schedule = Replayed();
        var at = TimeSpan.Zero;
        var count = 0;
        while (true)
        {
            at += schedule.NextDelay();
            if (at > Outage)
            {
                output.WriteLine($"the schedule makes {count} attempts in {Outage.TotalSeconds:0} s (each failing after {attemptTakes.TotalSeconds:0} s)");
                return count;
            }
            count++;
            at += attemptTakes;
        }
    }

    /// <summary>A backoff in the service's state: the same seed with its draws so far made again.</summary>
    private Backoff Replayed()
    {
        var schedule = new Backoff(new Random(Seed));
        for (var i = 0; i < _drawn; i++)
        {
            schedule.NextDelay();
        }
        return schedule;
    }

    /// <summary>Puts the proxy in <paramref name="mode"/> for <see cref="Outage"/> of fake time from the link's loss; returns the attempts made in it.</summary>
    private async Task<int> OutageAsync(TunnelRig rig, TunnelService service, LoopbackProxy proxy, ProxyMode mode, string what)
    {
        proxy.Mode = mode;
        var before = service.Attempts;
        await DriveUntilAsync(rig, proxy, () => rig.Status.Current.State == PlatformLinkState.Unreachable, $"{what}: the link is lost");
        var lost = rig.Time.GetUtcNow();
        await DriveUntilAsync(rig, proxy, () => rig.Time.GetUtcNow() - lost >= Outage && rig.Status.Current.State == PlatformLinkState.Unreachable,
            $"{what}: {Outage.TotalMinutes:0} minutes of outage");
        var attempts = service.Attempts - before;
        _drawn += 1 + attempts; // the loss drew a delay, and so did each failed attempt
        Assert.Equal(service.Attempts, proxy.Accepted); // every attempt reached the proxy, and nothing else did
        output.WriteLine($"{what}: {attempts} attempts in {(rig.Time.GetUtcNow() - lost).TotalSeconds:0} s of outage");
        return attempts;
    }

    /// <summary>The network comes back while the gateway waits out a backoff: its next attempt, one, connects within that step (at most its ceiling).</summary>
    private async Task RecoverAsync(TunnelRig rig, TunnelService service, LoopbackProxy proxy, string what)
    {
        proxy.Mode = ProxyMode.Pass;
        var back = rig.Time.GetUtcNow();
        var before = service.Attempts;
        var ceiling = TimeSpan.FromSeconds(Math.Min(Backoff.Cap.TotalSeconds, Math.Pow(2, _drawn)));
        await DriveUntilAsync(rig, proxy, () => rig.Status.Current.State == PlatformLinkState.Connected, $"{what}: reconnected once the network is back");
        var took = rig.Time.GetUtcNow() - back;
        output.WriteLine($"{what}: connected {took.TotalSeconds:0.0} s after the network came back (this step's ceiling {ceiling.TotalSeconds:0} s)");
        Assert.Equal(before + 1, service.Attempts);
        Assert.True(took <= ceiling + Step, $"{what}: connected {took} after the network came back; one backoff step is at most {ceiling}");
    }

    /// <summary>
    /// Moves the fake clock on in steps until <paramref name="done"/>, but only while the gateway waits on it — not while it
    /// connects through a working network (its handshake runs in real time), nor while the link is up and healthy.
    /// </summary>
    private static async Task DriveUntilAsync(TunnelRig rig, LoopbackProxy proxy, Func<bool> done, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"{what}: not so after {waited.Elapsed.TotalSeconds:0} s; link {rig.Status.Current.State} ({rig.Status.Current.Reason}), " +
                    $"proxy {proxy.Mode}, {proxy.Accepted} connections accepted");
            }
            var state = rig.Status.Current.State;
            var realWork = (state == PlatformLinkState.Connecting && proxy.Mode is ProxyMode.Pass or ProxyMode.Drop) ||
                           (state == PlatformLinkState.Connected && proxy.Mode == ProxyMode.Pass);
            if (!realWork)
            {
                rig.Time.Advance(Step);
            }
            await Task.Delay(2);
        }
    }
}
