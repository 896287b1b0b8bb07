using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Hardware.Button;

namespace WaSms.Hardware.Leds;

/// <summary>
/// Observes the state machine and shows each state's LED pattern; while the button is held it
/// shows the hold countdown (<see cref="LedPattern.ForHold"/>) instead, and the state's pattern again on release.
/// </summary>
public sealed class LedController : StateObserver
{
    private readonly ILedOutput _leds;
    private readonly ButtonInput _button;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ITimer _holdTimer;
    private GatewaySnapshot? _snapshot;

    public LedController(GatewayStateMachine machine, ILedOutput leds, ButtonInput button, LivenessMonitor liveness, TimeProvider time)
        : base(machine, liveness, time, "leds")
    {
        ArgumentNullException.ThrowIfNull(leds);
        ArgumentNullException.ThrowIfNull(button);
        _leds = leds;
        _button = button;
        _time = time;
        _holdTimer = time.CreateTimer(_ => Update(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _button.PressedChanged += OnButton;
    }

    protected override Task OnChangeAsync(GatewaySnapshot snapshot, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _snapshot = snapshot;
        }
        Update();
        return Task.CompletedTask;
    }

    private void OnButton(object? sender, EventArgs e) => Update();

    /// <summary>Shows the hold countdown or the state's pattern, and wakes again at the next hold threshold.</summary>
    private void Update()
    {
        lock (_gate)
        {
            var options = _button.Options;
            if (_button.PressedAt is { } since)
            {
                var held = _time.GetUtcNow() - since;
                _leds.Show(LedPattern.ForHold(held, options));
                var next = held < options.RelinkHold ? options.RelinkHold - held
                    : held < options.FactoryResetHold ? options.FactoryResetHold - held
                    : Timeout.InfiniteTimeSpan;
                _holdTimer.Change(next, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _holdTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                if (_snapshot is { } snapshot)
                {
                    _leds.Show(LedPattern.For(snapshot));
                }
            }
        }
    }

    public override void Dispose()
    {
        _button.PressedChanged -= OnButton;
        _holdTimer.Dispose();
        base.Dispose();
    }
}
