using WaSms.Core.State;
using WaSms.Hardware.Button;

namespace WaSms.Hardware.Leds;

/// <summary>What the three status LEDs show in each state (docs/hardware/led-patterns.md).</summary>
public sealed record LedPattern(LedMode Green, LedMode Amber, LedMode Red)
{
    public static LedPattern Dark { get; } = new(LedMode.Off, LedMode.Off, LedMode.Off);

    /// <summary>
    /// The pattern for a snapshot: a wrong clock (no real-time clock, NTP not through) blinks amber
    /// twice, whatever the state, because the state's own pattern would say "scan the QR" or
    /// "connecting" while nothing can work until the clock is set.
    /// </summary>
    public static LedPattern For(GatewayState state, GatewayProblem problem) => problem switch
    {
        GatewayProblem.ClockNotSet => new(LedMode.Off, LedMode.BlinkCode2, LedMode.Off),
        _ => For(state),
    };

    /// <summary>
    /// The pattern for a whole snapshot: <see cref="For(GatewayState, GatewayProblem)"/>, and while
    /// WhatsApp works (online or degraded) but the platform link needs a person (a terminal stop such
    /// as a revoked enrollment, or a refused certificate) red blinks slowly beside green: messages
    /// still go out locally, but the dashboard hears nothing until someone acts.
    /// </summary>
    public static LedPattern For(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var pattern = For(snapshot.State, snapshot.Problem);
        return snapshot.Problem == GatewayProblem.None && snapshot.State is GatewayState.Online or GatewayState.Degraded && snapshot.Platform is { NeedsAttention: true }
            ? pattern with { Red = LedMode.SlowBlink }
            : pattern;
    }

    public static LedPattern For(GatewayState state) => state switch
    {
        GatewayState.Booting => new(LedMode.Off, LedMode.On, LedMode.Off),
        GatewayState.Unpaired => new(LedMode.Off, LedMode.SlowBlink, LedMode.Off),
        GatewayState.Pairing => new(LedMode.Off, LedMode.FastBlink, LedMode.Off),
        GatewayState.Connecting => new(LedMode.SlowBlink, LedMode.Off, LedMode.Off),
        GatewayState.Online => new(LedMode.On, LedMode.Off, LedMode.Off),
        GatewayState.Degraded => new(LedMode.On, LedMode.SlowBlink, LedMode.Off),
        GatewayState.RelinkNeeded => new(LedMode.Off, LedMode.SlowBlink, LedMode.SlowBlink),
        GatewayState.ClientOutdated => new(LedMode.Off, LedMode.Off, LedMode.BlinkCode2),
        GatewayState.TempBanned => new(LedMode.Off, LedMode.On, LedMode.BlinkCode3),
        GatewayState.Resetting => new(LedMode.FastBlink, LedMode.FastBlink, LedMode.FastBlink),
        GatewayState.Updating => new(LedMode.FastBlink, LedMode.Off, LedMode.Off),
        GatewayState.Fatal => new(LedMode.Off, LedMode.Off, LedMode.On),
        _ => new(LedMode.Off, LedMode.Off, LedMode.On),
    };

    /// <summary>
    /// The countdown while the button is held: amber fast until the relink threshold, then amber
    /// steady with red fast until the factory-reset threshold, then red steady ("release now").
    /// </summary>
    public static LedPattern ForHold(TimeSpan held, ButtonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return held < options.RelinkHold ? new(LedMode.Off, LedMode.FastBlink, LedMode.Off)
            : held < options.FactoryResetHold ? new(LedMode.Off, LedMode.On, LedMode.FastBlink)
            : new(LedMode.Off, LedMode.Off, LedMode.On);
    }

    public LedMode this[LedColor color] => color switch
    {
        LedColor.Green => Green,
        LedColor.Amber => Amber,
        _ => Red,
    };

    /// <summary>What a board with a single LED shows: the most serious colour that is not off (red, then amber, then green).</summary>
    public LedMode Strongest => Red != LedMode.Off ? Red : Amber != LedMode.Off ? Amber : Green;
}
