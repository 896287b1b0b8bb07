using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Core.Status;
using WaSms.Hardware.Board;
using WaSms.Hardware.Display;
using WaSms.Storage;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Provisioning;
using WaSms.Health.Mqtt;

namespace WaSms.Gateway.Control;

/// <summary>Assembles the status report shown by <c>status</c>, <c>qr</c> and (later) MQTT, and the counters on the online screen.</summary>
public sealed class StatusProvider(GatewayStateMachine machine, GatewayStore store, IBoard board, LivenessMonitor liveness, TimeProvider time,
    GatewayOptions options, MqttConnectionStatus? mqtt = null, Messaging.IMessagingApi? messaging = null, Messaging.Pacing.PacingGate? pacing = null,
    Tunnel.Connection.TunnelLinkStatus? tunnel = null, Updates.UpdateCoordinator? updates = null)
    : IGatewayStatusSource, IScreenStatsSource
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <summary>The running firmware version (<see cref="Updates.FirmwareVersion"/>).</summary>
    public static string Version => Updates.FirmwareVersion.Current;

    public async Task<GatewayStatus> GetAsync(CancellationToken cancellationToken) =>
        new(machine.Current, await store.GetQueueDepthsAsync(cancellationToken), board.Kind, board.Display.Description,
            board.Display.IsPresent, Version, time.GetUtcNow() - _started, liveness.FindStalledLoops(), board.Button.StuckSince,
            await GetTodayAsync(cancellationToken), tunnel?.Current.StateName);

    private async Task<MessageCounts?> GetTodayAsync(CancellationToken cancellationToken)
    {
        if (messaging is null)
        {
            return null;
        }
        var today = await messaging.GetTodayAsync(cancellationToken);
        return new MessageCounts(today.Day, today.In, today.Out, today.Failed, today.Queued);
    }

    /// <summary>The button became stuck or was released after being stuck.</summary>
    public event EventHandler? Changed
    {
        add => board.Button.StuckChanged += value;
        remove => board.Button.StuckChanged -= value;
    }

    /// <summary>Today's messages in and out, and the undelivered items: every queue's plus the sends waiting.</summary>
    async Task<ScreenStats> IScreenStatsSource.GetAsync(CancellationToken cancellationToken)
    {
        var depths = await store.GetQueueDepthsAsync(cancellationToken);
        var today = await GetTodayAsync(cancellationToken);
        // While the tunnel is connected the platform is in sync now (events flow as they are stored).
        var lastSync = machine.Current.Platform?.State == PlatformLinkState.Connected ? time.GetUtcNow() : (DateTimeOffset?)null;
        return new ScreenStats(today?.In, today?.Out, depths.Values.Sum() + (today?.Queued ?? 0), lastSync);
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
            new ButtonReport(status.ButtonStuckSince is not null, status.ButtonStuckSince),
            status.Today is { } t ? new TodayReport(t.Day, t.In, t.Out, t.Failed, t.Queued) : null,
            pacing is null ? null : await GetPacingAsync(pacing, cancellationToken),
            snapshot.Platform is { } link ? new TunnelReport(link.StateName, link.Line, link.Since, snapshot.OpenNotice<UpdateNotice>(time.GetUtcNow())?.Version, link.Reason) : null,
            CurrentUpdate(snapshot),
            snapshot.OpenNotice<UpdateOutcome>(time.GetUtcNow()) is { } last
                ? new LastUpdateReport(last.Version, last.Result, last.At, last.Reason)
                : null);
    }

    /// <summary>The update this service ran, else a rollback found at start-up (phase <c>rolled-back</c>), else null.</summary>
    private Updates.UpdateReport? CurrentUpdate(GatewaySnapshot snapshot) =>
        updates?.Current ?? (snapshot.OpenNotice<UpdateOutcome>(time.GetUtcNow()) is { RolledBack: true } rolledBack
            ? new Updates.UpdateReport("rolled-back", "", rolledBack.Version, null, null, rolledBack.Reason, rolledBack.At)
            : null);

    private static async Task<PacingReport> GetPacingAsync(Messaging.Pacing.PacingGate pacing, CancellationToken cancellationToken) =>
        await pacing.GetPauseAsync(cancellationToken) is { } pause ? new PacingReport(true, pause.Reason, pause.Until) : new PacingReport(false, null, null);

    private static string Name(Hardware.Leds.LedMode mode) => Hardware.Leds.LedModeNames.Of(mode);
}
