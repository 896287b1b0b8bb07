namespace WaSms.Health.Mqtt;

/// <summary>Exponential reconnect backoff with "equal jitter": half the step fixed, half random.</summary>
internal static class Backoff
{
    /// <param name="attempt">0 for the first retry.</param>
    /// <param name="initial">The first step.</param>
    /// <param name="max">The cap.</param>
    /// <param name="unit">A random number in [0, 1).</param>
    public static TimeSpan Next(int attempt, TimeSpan initial, TimeSpan max, double unit)
    {
        var step = initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        step = Math.Min(step, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(step / 2 + step / 2 * Math.Clamp(unit, 0, 1));
    }
}
