namespace WaSms.Hardware.Leds;

/// <summary>What one LED does; <see cref="LedTimeline"/> turns a mode and the time since it was shown into on/off.</summary>
public enum LedMode
{
    Off,
    On,
    /// <summary>1 s on, 1 s off.</summary>
    SlowBlink,
    /// <summary>200 ms on, 200 ms off.</summary>
    FastBlink,
    /// <summary>Blink code 2: two 200 ms flashes 300 ms apart, then 1.5 s dark.</summary>
    BlinkCode2,
    /// <summary>Blink code 3: three 200 ms flashes 300 ms apart, then 1.5 s dark.</summary>
    BlinkCode3,
}
