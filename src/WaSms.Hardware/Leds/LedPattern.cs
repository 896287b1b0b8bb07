using WaSms.Core.State;

namespace WaSms.Hardware.Leds;

/// <summary>What the three status LEDs show in each state (docs/hardware/led-patterns.md).</summary>
public sealed record LedPattern(LedMode Green, LedMode Amber, LedMode Red)
{
    public static LedPattern For(GatewayState state) => state switch
    {
        GatewayState.Booting => new(LedMode.Off, LedMode.On, LedMode.Off),
        GatewayState.Unpaired => new(LedMode.Off, LedMode.SlowBlink, LedMode.Off),
        GatewayState.Pairing => new(LedMode.Off, LedMode.FastBlink, LedMode.Off),
        GatewayState.Connecting => new(LedMode.SlowBlink, LedMode.Off, LedMode.Off),
        GatewayState.Online => new(LedMode.On, LedMode.Off, LedMode.Off),
        GatewayState.Degraded => new(LedMode.On, LedMode.SlowBlink, LedMode.Off),
        GatewayState.RelinkNeeded => new(LedMode.Off, LedMode.SlowBlink, LedMode.SlowBlink),
        GatewayState.ClientOutdated => new(LedMode.Off, LedMode.Off, LedMode.SlowBlink),
        GatewayState.TempBanned => new(LedMode.Off, LedMode.On, LedMode.On),
        GatewayState.Resetting => new(LedMode.FastBlink, LedMode.FastBlink, LedMode.FastBlink),
        GatewayState.Updating => new(LedMode.FastBlink, LedMode.Off, LedMode.Off),
        GatewayState.Fatal => new(LedMode.Off, LedMode.Off, LedMode.On),
        _ => new(LedMode.Off, LedMode.Off, LedMode.On),
    };

    public LedMode this[LedColor color] => color switch
    {
        LedColor.Green => Green,
        LedColor.Amber => Amber,
        _ => Red,
    };
}
