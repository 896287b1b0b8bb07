namespace WaSms.Core.Liveness;

/// <summary>
/// Knows the critical loops and when each last proved it was making progress. The systemd
/// watchdog is fed only while every registered loop is alive, so a hung loop gets the service
/// restarted instead of being hidden by a free-running timer.
/// </summary>
public sealed class LivenessMonitor(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<LoopHeartbeat> _loops = [];

    /// <summary>Registers a critical loop that promises to <see cref="LoopHeartbeat.Beat"/> at least every <paramref name="maxSilence"/>.</summary>
    public LoopHeartbeat Register(string name, TimeSpan maxSilence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var heartbeat = new LoopHeartbeat(name, maxSilence, time, Unregister);
        lock (_gate)
        {
            _loops.Add(heartbeat);
        }
        return heartbeat;
    }

    /// <summary>The names of the loops that have been silent too long; empty when all are alive.</summary>
    public IReadOnlyList<string> FindStalledLoops()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return _loops.Where(l => now - l.LastBeat > l.MaxSilence).Select(l => l.Name).ToList();
        }
    }

    public IReadOnlyList<string> LoopNames
    {
        get { lock (_gate) { return _loops.Select(l => l.Name).ToList(); } }
    }

    private void Unregister(LoopHeartbeat heartbeat)
    {
        lock (_gate)
        {
            _loops.Remove(heartbeat);
        }
    }
}
