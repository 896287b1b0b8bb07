namespace WaSms.Hardware.Leds;

/// <summary>The kebab-case names of <see cref="LedMode"/> used by <c>status --json</c>, the simulator page and the docs.</summary>
public static class LedModeNames
{
    public static string Of(LedMode mode) => mode switch
    {
        LedMode.On => "on",
        LedMode.SlowBlink => "slow-blink",
        LedMode.FastBlink => "fast-blink",
        LedMode.BlinkCode2 => "blink-code-2",
        LedMode.BlinkCode3 => "blink-code-3",
        _ => "off",
    };
}
