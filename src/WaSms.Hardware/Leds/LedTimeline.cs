namespace WaSms.Hardware.Leds;

/// <summary>
/// The blink timing of each <see cref="LedMode"/> as a pure function of the time since the pattern
/// was shown: the GPIO driver, the tests and the docs all read the same table.
/// Every blinking mode starts with its LED on, so a new pattern shows at once.
/// </summary>
public static class LedTimeline
{
    private static readonly TimeSpan Flash = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FlashGap = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan CodePause = TimeSpan.FromMilliseconds(1500);

    /// <summary>The on/off segments of one period, starting at elapsed 0; empty for steady modes.</summary>
    public static IReadOnlyList<(bool Lit, TimeSpan Length)> Segments(LedMode mode) => mode switch
    {
        LedMode.SlowBlink => [(true, TimeSpan.FromSeconds(1)), (false, TimeSpan.FromSeconds(1))],
        LedMode.FastBlink => [(true, Flash), (false, Flash)],
        LedMode.BlinkCode2 => Code(2),
        LedMode.BlinkCode3 => Code(3),
        _ => [],
    };

    /// <summary>Whether an LED in <paramref name="mode"/> is lit <paramref name="elapsed"/> after the mode was shown.</summary>
    public static bool IsLit(LedMode mode, TimeSpan elapsed) => Locate(mode, elapsed) is { } at ? at.Lit : mode == LedMode.On;

    /// <summary>Time from <paramref name="elapsed"/> to the LED's next change, or null when it never changes.</summary>
    public static TimeSpan? UntilNextChange(LedMode mode, TimeSpan elapsed) => Locate(mode, elapsed)?.Left;

    private static (bool Lit, TimeSpan Left)? Locate(LedMode mode, TimeSpan elapsed)
    {
        var segments = Segments(mode);
        if (segments.Count == 0)
        {
            return null;
        }
        var period = segments.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Length);
        var into = TimeSpan.FromTicks(Math.Max(0, elapsed.Ticks) % period.Ticks);
        foreach (var (lit, length) in segments)
        {
            if (into < length)
            {
                return (lit, length - into);
            }
            into -= length;
        }
        return (segments[0].Lit, segments[0].Length); // not reached: into < period
    }

    private static (bool, TimeSpan)[] Code(int flashes)
    {
        var segments = new List<(bool, TimeSpan)>();
        for (var i = 0; i < flashes; i++)
        {
            segments.Add((true, Flash));
            segments.Add((false, i == flashes - 1 ? CodePause : FlashGap));
        }
        return [.. segments];
    }
}
