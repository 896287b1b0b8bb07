namespace WaSms.Hardware.Leds;

public enum LedMode
{
    Off,
    On,
    /// <summary>1 s on, 1 s off.</summary>
    SlowBlink,
    /// <summary>200 ms on, 200 ms off.</summary>
    FastBlink,
}
