using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Hardware.Board;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>
/// Observes the state machine and keeps the panel (and <c>display/current.png</c>) showing the
/// current state. A critical loop: if drawing hangs, the watchdog stops being fed.
/// </summary>
public sealed class DisplayController(
    GatewayStateMachine machine,
    IBoard board,
    FrameFile frameFile,
    LivenessMonitor liveness,
    TimeProvider time,
    ILogger<DisplayController> log) : BackgroundService
{
    /// <summary>The loop wakes at least this often to prove it is alive.</summary>
    public static readonly TimeSpan WakeInterval = TimeSpan.FromSeconds(10);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private GatewaySnapshot? _latest;
    private MonoFrame? _shown;
    private GatewaySnapshot? _shownSnapshot;
    private int _forceFull;
    private bool _panelFailed;

    /// <summary>Draws the screen again with a full refresh (short button press).</summary>
    public void RequestRedraw()
    {
        Interlocked.Exchange(ref _forceFull, 1);
        _wake.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = liveness.Register("display", WakeInterval * 3);
        if (!board.Display.IsPresent)
        {
            // Said once: the gateway keeps running, status and MQTT report "display missing".
            log.LogWarning("Display missing: {Display}; frames go to {Path} only", board.Display.Description, frameFile.Path);
        }
        using var subscription = machine.Subscribe();
        var pump = PumpAsync(subscription, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await _wake.Reader.WaitToReadAsync(WakeInterval, time, stoppingToken))
                {
                    _wake.Reader.TryRead(out _);
                    await DrawAsync(stoppingToken);
                }
                heartbeat.Beat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await pump;
    }

    private async Task PumpAsync(StateSubscription subscription, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var snapshot in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                Volatile.Write(ref _latest, snapshot);
                _wake.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DrawAsync(CancellationToken cancellationToken)
    {
        var snapshot = Volatile.Read(ref _latest);
        if (snapshot is null)
        {
            return;
        }
        var display = board.Display;
        var frame = ScreenRenderer.Render(snapshot, display.Width, display.Height, time.GetUtcNow());
        var force = Interlocked.Exchange(ref _forceFull, 0) == 1;
        if (!force && _shown is not null && frame.SameAs(_shown))
        {
            return;
        }
        // A new state or a new QR gets a full refresh (crisp, no ghosting); text updates a partial one.
        var full = force || _shownSnapshot is null || _shownSnapshot.State != snapshot.State ||
                   _shownSnapshot.Pairing?.QrCode != snapshot.Pairing?.QrCode;
        try
        {
            await display.RefreshAsync(frame, full, cancellationToken);
            _panelFailed = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (!_panelFailed)
            {
                log.LogError(ex, "Display {Display} refresh failed; showing frames in {Path} only", display.Description, frameFile.Path);
                _panelFailed = true;
            }
        }
        await frameFile.WriteAsync(frame, cancellationToken);
        _shown = frame;
        _shownSnapshot = snapshot;
    }
}
