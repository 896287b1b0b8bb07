namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>
/// Full-jitter exponential backoff (docs/tunnel.md §9): the n-th consecutive failed attempt waits a
/// uniformly random time in [0, min(<see cref="Cap"/>, 1 s × 2^n)). The random source is injected so
/// a test can replay a sequence.
/// </summary>
public sealed class Backoff(Random random)
{
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);

    /// <summary>A connection that reached welcome and lived this long resets the count.</summary>
    public static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(60);

    public int Failures { get; private set; }

    /// <summary>Counts a failed attempt and returns how long to wait before the next.</summary>
    public TimeSpan NextDelay()
    {
        Failures++;
        return Draw(Failures);
    }

    /// <summary>The wait at the cap (a <c>replaced</c> error: another connection holds the gateway id).</summary>
    public TimeSpan LongestDelay()
    {
        Failures++;
        return Draw(int.MaxValue);
    }

    public void Reset() => Failures = 0;

    private TimeSpan Draw(int n)
    {
        var ceiling = n >= 6 ? Cap.TotalSeconds : Math.Min(Cap.TotalSeconds, Math.Pow(2, n));
        return TimeSpan.FromSeconds(random.NextDouble() * ceiling);
    }
}
