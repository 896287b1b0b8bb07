using WaSms.Core.State;

namespace WaSms.Health.Mqtt;

/// <summary>What the reporter watches: the state machine (every snapshot, in order), the telemetry clock, and the events it queues.</summary>
public sealed partial class MqttHealthReporter
{
    /// <summary>
    /// A snapshot from the state machine (<see cref="StateFeed"/>). The subscription keeps the newest 16;
    /// a gap in the machine's sequence numbers says how many were dropped.
    /// </summary>
    private void Observe(GatewaySnapshot snapshot)
    {
        var previous = _snapshot;
        if (previous is not null && snapshot.Sequence <= previous.Sequence)
        {
            return; // two producers raced and delivered out of order: the newer one is already in
        }
        _snapshot = snapshot;
        if (previous is not null && previous.State != snapshot.State)
        {
            var missed = snapshot.Sequence - previous.Sequence - 1;
            AddEvent("state-changed", snapshot, from: previous.StateName, missed: missed > 0 ? missed : null);
        }
        Raise(StateFlag);
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.TelemetrySeconds), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Raise(TelemetryFlag);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void AddEvent(string type, GatewaySnapshot? snapshot, long? count = null, string? from = null, long? missed = null)
    {
        var reason = snapshot is null ? null : PayloadRedactor.Text(snapshot.Reason, Forbidden(snapshot));
        _events.Enqueue(new EventPayload(Interlocked.Increment(ref _eventSequence), type, _time.GetUtcNow(), from, snapshot?.StateName, reason, count, missed));
        while (_events.Count > MaxPendingEvents && _events.TryDequeue(out _))
        {
            // offline for long: keep the newest events only
        }
        Raise(EventFlag);
    }
}
