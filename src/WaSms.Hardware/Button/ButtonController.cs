using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Liveness;
using WaSms.Core.Requests;
using WaSms.Core.Reset;
using WaSms.Core.State;

namespace WaSms.Hardware.Button;

/// <summary>
/// Reports the button's gestures and nothing else: a short press asks to try again
/// (<see cref="UserRequests"/>: a new QR, a reconnect, a fresh screen), a hold asks for a reset
/// (<see cref="IResetRequests"/>, where the coordinator decides and the state carries any question to
/// the screen). Also says in the log when the button is stuck.
/// </summary>
public sealed class ButtonController(
    ButtonInput button,
    IResetRequests reset,
    UserRequests requests,
    LivenessMonitor liveness,
    TimeProvider time,
    ILogger<ButtonController> log,
    GatewayStateMachine? machine = null) : BackgroundService
{
    /// <summary>
    /// A reset asked for while the gateway is still booting (the button held at power-on, the
    /// recovery path) waits this long for the boot to finish; the state machine refuses resets while booting.
    /// </summary>
    public static readonly TimeSpan BootWait = TimeSpan.FromMinutes(2);

    private int _stuckLogged;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribed before StartAsync returns (ExecuteAsync may start later on the thread pool), so
        // no stuck edge after the start is missed.
        button.StuckChanged += OnStuckChanged;
        OnStuckChanged(null, EventArgs.Empty); // stuck before this service started
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A reset may flush queues for a while; allow for that before the watchdog gives up.
        using var heartbeat = liveness.Register("button", TimeSpan.FromMinutes(3));
        var gestures = button.Gestures;
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
        finally
        {
            button.StuckChanged -= OnStuckChanged;
        }
    }

    /// <summary>The stuck fault once when it starts and once when it ends, however many times this is called.</summary>
    private void OnStuckChanged(object? sender, EventArgs e)
    {
        if (button.StuckSince is { } since)
        {
            if (Interlocked.Exchange(ref _stuckLogged, 1) == 0)
            {
                log.LogWarning("Button ({Button}) has read pressed for {Seconds} s: treated as stuck, holds ignored until it is released; check the wiring",
                    button.Name, (int)button.Options.StuckAfter.TotalSeconds);
            }
        }
        else if (Interlocked.Exchange(ref _stuckLogged, 0) == 1)
        {
            log.LogInformation("Button ({Button}) released: no longer stuck, no gesture; holds work again", button.Name);
        }
    }

    private async Task ActAsync(ButtonGesture gesture, CancellationToken cancellationToken)
    {
        switch (gesture)
        {
            case ButtonGesture.ShortPress:
                requests.RequestRetry(); // a redraw, and e.g. new QR codes after the old ones expired
                break;
            case ButtonGesture.Relink or ButtonGesture.FactoryReset:
                await WaitForBootAsync(cancellationToken);
                await reset.ResetAsync(gesture == ButtonGesture.Relink ? ResetKind.Relink : ResetKind.FactoryReset, "button held", cancellationToken);
                break;
        }
    }

    private async Task WaitForBootAsync(CancellationToken cancellationToken)
    {
        if (machine is null || machine.Current.State != GatewayState.Booting)
        {
            return;
        }
        log.LogInformation("Button: waiting for the boot to finish before the reset");
        using var subscription = machine.Subscribe();
        using var timeout = new CancellationTokenSource(BootWait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            while ((await subscription.NextAsync(linked.Token)).State == GatewayState.Booting)
            {
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Still booting: the reset path says it is not possible, and the log shows why.
        }
    }
}
