using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Core.Status;
using WaSms.Hardware.Board;
using WaSms.Hardware.Display;
using WaSms.Storage;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Provisioning;
using WaSms.Core.Health;
using WaSms.Health.Mqtt;

namespace WaSms.Gateway.Control;

/// <summary>Assembles the status report shown by <c>status</c>, <c>qr</c> and (later) MQTT, and the counters on the online screen.</summary>
public sealed class StatusProvider(GatewayStateMachine machine, GatewayStore store, IBoard board, LivenessMonitor liveness, TimeProvider time,
    GatewayOptions options, HealthCounters? counters = null, MqttConnectionStatus? mqtt = null)
    : IGatewayStatusSource, IScreenStatsSource
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public static string Version { get; } =
        typeof(StatusProvider).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public async Task<GatewayStatus> GetAsync(CancellationToken cancellationToken) =>
        new(machine.Current, await store.GetQueueDepthsAsync(cancellationToken), board.Kind, board.Display.Description,
            board.Display.IsPresent, Version, time.GetUtcNow() - _started, liveness.FindStalledLoops(), board.Button.StuckSince);

    /// <summary>The button became stuck or was released after being stuck.</summary>
    public event EventHandler? Changed
    {
        add => board.Button.StuckChanged += value;
        remove => board.Button.StuckChanged -= value;
    }

    /// <summary>Messages in/out since start (no per-day counts exist yet) and the undelivered items over all queues.</summary>
    async Task<ScreenStats> IScreenStatsSource.GetAsync(CancellationToken cancellationToken)
    {
        var depths = await store.GetQueueDepthsAsync(cancellationToken);
        return new ScreenStats(counters?.MessagesIn, counters?.MessagesOut, depths.Values.Sum());
    }

    public async Task<StatusReport> GetReportAsync(CancellationToken cancellationToken)
    {
        var status = await GetAsync(cancellationToken);
        var snapshot = status.Snapshot;
        var queues = status.QueueDepths;
        var leds = board.Leds.Current;
        return new StatusReport(
            snapshot.StateName,
            snapshot.Reason,
            snapshot.Since,
            snapshot.Sequence,
            Version,
            (long)status.Uptime.TotalSeconds,
            snapshot.Account is { } a ? new AccountReport(a.Jid, a.Lid, a.PushName, a.MaskedNumber) : null,
            snapshot.Pairing is { } p ? new PairingReport(p.QrCode, p.QrExpiresAt, p.PairingCode, p.RefNumber, p.RefCount) : null,
            queues,
            new BoardReport(status.BoardKind, status.DisplayDescription, status.DisplayPresent,
                Name(leds.Green), Name(leds.Amber), Name(leds.Red), board.Button.PressedAt is not null),
            status.StalledLoops,
            SetupProblem.Read(options.StateDirectory)?.ToString(),
            mqtt?.Current is { } m ? new MqttReport(m.Broker, m.Connected, m.Since, m.LastError, m.LastErrorAt) : null,
            new ButtonReport(status.ButtonStuckSince is not null, status.ButtonStuckSince));
    }

    private static string Name(Hardware.Leds.LedMode mode) => Hardware.Leds.LedModeNames.Of(mode);
}
