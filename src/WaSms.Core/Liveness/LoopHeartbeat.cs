namespace WaSms.Core.Liveness;

/// <summary>A critical loop's proof of progress. Dispose it when the loop ends normally.</summary>
public sealed class LoopHeartbeat : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action<LoopHeartbeat> _unregister;
    private long _lastBeatTicks;

    internal LoopHeartbeat(string name, TimeSpan maxSilence, TimeProvider time, Action<LoopHeartbeat> unregister)
    {
        Name = name;
        MaxSilence = maxSilence;
        _time = time;
        _unregister = unregister;
        Beat();
    }

    public string Name { get; }

    public TimeSpan MaxSilence { get; }

    public DateTimeOffset LastBeat => new(Interlocked.Read(ref _lastBeatTicks), TimeSpan.Zero);

    public void Beat() => Interlocked.Exchange(ref _lastBeatTicks, _time.GetUtcNow().UtcTicks);

    public void Dispose() => _unregister(this);
}
