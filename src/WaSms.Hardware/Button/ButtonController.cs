using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Liveness;
using WaSms.Core.Requests;
using WaSms.Core.Reset;
using WaSms.Hardware.Board;
using WaSms.Hardware.Display;

namespace WaSms.Hardware.Button;

/// <summary>Acts on button gestures: redraw on a short press, the reset path on a hold.</summary>
public sealed class ButtonController(
    IBoard board,
    DisplayController display,
    ResetCoordinator reset,
    UserRequests requests,
    LivenessMonitor liveness,
    TimeProvider time,
    ILogger<ButtonController> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A reset may flush queues for a while; allow for that before the watchdog gives up.
        using var heartbeat = liveness.Register("button", TimeSpan.FromMinutes(3));
        var gestures = board.Button.Gestures;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await gestures.WaitToReadAsync(TimeSpan.FromSeconds(10), time, stoppingToken) && gestures.TryRead(out var gesture))
                {
                    log.LogInformation("Button: {Gesture}", gesture);
                    try
                    {
                        await ActAsync(gesture, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The reset path already moved the state machine to fatal with the reason.
                        log.LogError(ex, "Button action {Gesture} failed", gesture);
                    }
                }
                heartbeat.Beat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ActAsync(ButtonGesture gesture, CancellationToken cancellationToken)
    {
        switch (gesture)
        {
            case ButtonGesture.ShortPress:
                display.RequestRedraw();
                requests.RequestRetry(); // e.g. new QR codes after the old ones expired
                break;
            case ButtonGesture.Relink:
                Ask(ResetKind.Relink, await reset.ResetAsync(ResetKind.Relink, "button held", cancellationToken));
                break;
            case ButtonGesture.FactoryReset:
                Ask(ResetKind.FactoryReset, await reset.ResetAsync(ResetKind.FactoryReset, "button held", cancellationToken));
                break;
        }
    }

    /// <summary>A reset that stopped to protect undelivered items puts its question on the screen.</summary>
    private void Ask(ResetKind kind, ResetOutcome outcome)
    {
        if (!outcome.Completed && outcome.Undelivered > 0)
        {
            display.ShowNotice(new ResetNotice(kind == ResetKind.FactoryReset, outcome.Undelivered, time.GetUtcNow() + ResetCoordinator.ConfirmationWindow));
        }
    }
}
