using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Liveness;
using WaSms.Core.Requests;
using WaSms.Core.State;
using WaSms.Hardware.Button;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>
/// Observes the state machine (with its notices) and the button and keeps the panel (and
/// <c>display/current.png</c>) showing the current screen, refreshed as <see cref="RefreshPolicy"/>
/// allows; a retry request (short press) redraws with a full refresh. A critical loop: if drawing
/// hangs, the watchdog stops being fed.
/// </summary>
public sealed class DisplayController : BackgroundService
{
    /// <summary>The loop wakes at least this often to prove it is alive (and to poll the counters).</summary>
    public static readonly TimeSpan WakeInterval = TimeSpan.FromSeconds(10);

    /// <summary>The hold countdown appears once the button has been down this long, so a short press does not flash it.</summary>
    public static readonly TimeSpan HoldShowAfter = TimeSpan.FromSeconds(1);

    private readonly GatewayStateMachine _machine;
    private readonly IDisplay _display;
    private readonly ButtonInput _button;
    private readonly FrameFile _frameFile;
    private readonly LivenessMonitor _liveness;
    private readonly TimeProvider _time;
    private readonly ILogger<DisplayController> _log;
    private readonly IScreenStatsSource? _stats;
    private readonly UserRequests? _requests;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private GatewaySnapshot? _latest;
    private long _pendingSinceTicks; // UTC ticks of the first change not on the panel yet; 0 = none
    private int _forceFull;
    private bool _panelFailed;
    private bool _firstFrameShown;

    /// <param name="machine">The state machine to observe.</param>
    /// <param name="display">The panel (a missing one when the board has none).</param>
    /// <param name="button">The button, for the hold countdown and the press-to-refresh.</param>
    /// <param name="frameFile">Written on every refresh.</param>
    /// <param name="liveness">The loop's heartbeat.</param>
    /// <param name="time">The clock.</param>
    /// <param name="log">Logger.</param>
    /// <param name="stats">Counters for the online screen; none when the host provides none.</param>
    /// <param name="refresh">Refresh policy settings; the defaults when null.</param>
    /// <param name="requests">Retry requests (short press) redraw the screen; none in tests that draw by hand.</param>
    public DisplayController(
        GatewayStateMachine machine,
        IDisplay display,
        ButtonInput button,
        FrameFile frameFile,
        LivenessMonitor liveness,
        TimeProvider time,
        ILogger<DisplayController> log,
        IScreenStatsSource? stats = null,
        RefreshOptions? refresh = null,
        UserRequests? requests = null)
    {
        _machine = machine;
        _display = display;
        _button = button;
        _frameFile = frameFile;
        _liveness = liveness;
        _time = time;
        _log = log;
        _stats = stats;
        _requests = requests;
        Policy = new RefreshPolicy(refresh ?? new RefreshOptions());
    }

    public RefreshPolicy Policy { get; }

    /// <summary>The reset question on screen, while it is open.</summary>
    public ResetNotice? Notice => Shown.OpenNotice<ResetNotice>(_time.GetUtcNow());

    /// <summary>The snapshot on screen, or the machine's before the first one arrived.</summary>
    private GatewaySnapshot Shown => Volatile.Read(ref _latest) ?? _machine.Current;

    /// <summary>Draws the screen again with a full refresh (short button press).</summary>
    public void RequestRedraw()
    {
        Interlocked.Exchange(ref _forceFull, 1);
        MarkChanged();
    }

    /// <summary>The setup-file problem on screen, while it is shown.</summary>
    public SetupNotice? Setup => Shown.OpenNotice<SetupNotice>(_time.GetUtcNow());

    /// <summary>Takes a new snapshot; only the newest one is drawn.</summary>
    public void Observe(GatewaySnapshot snapshot)
    {
        Volatile.Write(ref _latest, snapshot);
        MarkChanged();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = _liveness.Register("display", WakeInterval * 3);
        if (!_display.IsPresent)
        {
            // Said once: the gateway keeps running, status and MQTT report "display missing".
            _log.LogWarning("Display missing: {Display}; frames go to {Path} only", _display.Description, _frameFile.Path);
        }
        _button.PressedChanged += OnButton;
        if (_requests is not null)
        {
            _requests.RetryRequested += OnRetry;
        }
        Observe(_machine.Current);
        using var feed = new StateFeed(_machine, _time, Observe); // the state intake; the drawing loop below is the critical one
        await feed.StartAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var sleep = await DrawOnceAsync(stoppingToken);
                if (await _wake.Reader.WaitToReadAsync(sleep, _time, stoppingToken))
                {
                    _wake.Reader.TryRead(out _);
                }
                heartbeat.Beat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _button.PressedChanged -= OnButton;
            if (_requests is not null)
            {
                _requests.RetryRequested -= OnRetry;
            }
            await feed.StopAsync(CancellationToken.None);
            await feed.Completion; // a snapshot the intake could not take fails this loop too, not silently
        }
    }

    /// <summary>
    /// Renders the newest screen and refreshes the panel if the policy says so now.
    /// </summary>
    /// <returns>How long the loop may sleep before something on the screen is due to change.</returns>
    public async Task<TimeSpan> DrawOnceAsync(CancellationToken cancellationToken)
    {
        var snapshot = Volatile.Read(ref _latest);
        if (snapshot is null)
        {
            return WakeInterval;
        }
        var now = _time.GetUtcNow();
        var pressedAt = _button.PressedAt;
        var buttonOptions = _button.Options;
        var hold = pressedAt is { } since && now - since >= HoldShowAfter
            ? new HoldProgress(now - since, buttonOptions.RelinkHold, buttonOptions.FactoryResetHold)
            : null;
        var notice = snapshot.OpenNotice<ResetNotice>(now);
        var setup = snapshot.OpenNotice<SetupNotice>(now);
        var stats = snapshot.State is GatewayState.Online or GatewayState.Degraded ? await ReadStatsAsync(cancellationToken) : null;
        var model = new ScreenModel(snapshot, now, _time.LocalTimeZone, stats, hold, notice, setup, _button.StuckSince is not null);
        var display = _display;
        var frame = ScreenRenderer.Render(model, display.Width, display.Height);
        var overlay = hold is not null ? ScreenOverlay.Hold : notice is not null || setup is not null ? ScreenOverlay.Notice : ScreenOverlay.None;
        var qr = overlay == ScreenOverlay.None && snapshot.State == GatewayState.Unpaired &&
                 snapshot.Pairing is { QrCode: { } code } pairing && (pairing.QrExpiresAt is not { } expires || expires > now)
            ? code
            : null;
        var request = new ScreenRequest(frame, snapshot.State, overlay, qr, Prompt(model, overlay));

        var pendingTicks = Interlocked.Read(ref _pendingSinceTicks);
        var changedAt = pendingTicks == 0 ? now : new DateTimeOffset(pendingTicks, TimeSpan.Zero);
        var forced = Volatile.Read(ref _forceFull) == 1;
        var decision = Policy.Decide(request, now, changedAt, forced);
        var next = NextChange(model, pressedAt, now);
        if (decision.Kind == RefreshKind.None)
        {
            Interlocked.CompareExchange(ref _pendingSinceTicks, 0, pendingTicks);
            return next;
        }
        if (decision.At > now)
        {
            // A change the loop noticed by itself (counters, time left) starts its coalescing window now.
            Interlocked.CompareExchange(ref _pendingSinceTicks, now.UtcTicks, 0);
            return Min(decision.At - now, next);
        }

        Interlocked.Exchange(ref _forceFull, 0);
        Interlocked.CompareExchange(ref _pendingSinceTicks, 0, pendingTicks);
        await RefreshAsync(display, frame, decision.Kind == RefreshKind.Full, cancellationToken);
        Policy.Refreshed(request, decision.Kind, now);
        return next;
    }

    private async Task RefreshAsync(IDisplay display, MonoFrame frame, bool full, CancellationToken cancellationToken)
    {
        try
        {
            await display.RefreshAsync(frame, full, cancellationToken);
            _panelFailed = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (!_panelFailed)
            {
                _log.LogError(ex, "Display {Display} refresh failed; showing frames in {Path} only", display.Description, _frameFile.Path);
                _panelFailed = true;
            }
        }
        await _frameFile.WriteAsync(frame, cancellationToken);
        if (!_firstFrameShown)
        {
            // The journal's timestamp of this line is "power-on → first frame" (docs/performance.md).
            _firstFrameShown = true;
            _log.LogInformation("First frame shown on {Display}", display.Description);
        }
    }

    private async Task<ScreenStats?> ReadStatsAsync(CancellationToken cancellationToken)
    {
        if (_stats is null)
        {
            return null;
        }
        try
        {
            return await _stats.GetAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Counters are nice to have; the screen goes on without them.
            _log.LogDebug(ex, "Screen counters unavailable");
            return null;
        }
    }

    /// <summary>
    /// What the screen asks the customer to do, as a key for <see cref="ScreenRequest.Prompt"/>
    /// (the refresh policy draws a new one at once): the pairing code, the expired-QR and not-linked
    /// screens, the reset question, the setup problem, and the states whose screen says what to do
    /// (link again, update, reset). Countdowns are left out: they are not a new request.
    /// </summary>
    internal static string? Prompt(ScreenModel model, ScreenOverlay overlay)
    {
        if (overlay == ScreenOverlay.Hold)
        {
            return null;
        }
        if (model.Notice is { } notice)
        {
            return $"reset-question:{notice.FactoryReset}:{notice.Undelivered}:{notice.Until.UtcTicks}";
        }
        if (model.Setup is { } setup)
        {
            return $"setup:{setup.Key}:{setup.Line}:{setup.Message}";
        }
        var snapshot = model.Snapshot;
        return snapshot.State switch
        {
            GatewayState.Unpaired when snapshot.Pairing is { QrCode: not null } pairing && (pairing.QrExpiresAt is not { } expires || expires > model.Now) => null, // the QR itself is the prompt
            GatewayState.Unpaired when snapshot.Pairing?.PairingCode is { } code => "pairing-code:" + code,
            GatewayState.Unpaired when snapshot.Pairing?.QrCode is not null => "qr-expired:" + snapshot.Reason,
            GatewayState.Unpaired => "not-linked:" + snapshot.Reason,
            // An update offer changes what the client-outdated screen asks for ("it installs automatically").
            GatewayState.ClientOutdated => $"{snapshot.StateName}:{snapshot.Reason}:{snapshot.OpenNotice<UpdateNotice>(model.Now)?.Version}",
            GatewayState.RelinkNeeded or GatewayState.Fatal => $"{snapshot.StateName}:{snapshot.Reason}",
            // A platform link that needs a person is drawn at once, not at the next counters refresh.
            GatewayState.Online or GatewayState.Degraded when snapshot.Platform is { NeedsAttention: true } link => "platform:" + link.ScreenLine,
            _ => null,
        };
    }

    /// <summary>When the drawn screen would next look different by itself: the hold countdown's next second, the QR's next 10 s step, the notice lapsing.</summary>
    private static TimeSpan NextChange(ScreenModel model, DateTimeOffset? pressedAt, DateTimeOffset now)
    {
        var next = WakeInterval;
        if (pressedAt is { } since)
        {
            var held = now - since;
            var tick = held < HoldShowAfter ? HoldShowAfter : TimeSpan.FromSeconds(Math.Floor(held.TotalSeconds) + 1);
            next = Min(next, tick - held);
        }
        if (model.Notice is { } notice)
        {
            next = Min(next, notice.Until - now);
        }
        if (model.Setup is { } setup)
        {
            next = Min(next, setup.Until - now);
        }
        if (model.Hold is null && model.Snapshot is { State: GatewayState.Unpaired, Pairing.QrExpiresAt: { } expires } && expires > now)
        {
            // The shown "N s left" is floor(left / 10 s) * 10: it changes when the time left crosses the next multiple of 10 s.
            var left = expires - now;
            var step = TimeSpan.FromSeconds(Math.Floor(left.TotalSeconds / 10) * 10);
            next = Min(next, left - step + TimeSpan.FromMilliseconds(1));
        }
        return next > TimeSpan.Zero ? next : TimeSpan.FromMilliseconds(1);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void OnButton(object? sender, EventArgs e) => MarkChanged();

    private void OnRetry(object? sender, EventArgs e) => RequestRedraw();

    private void MarkChanged()
    {
        Interlocked.CompareExchange(ref _pendingSinceTicks, _time.GetUtcNow().UtcTicks, 0);
        _wake.Writer.TryWrite(true);
    }
}
