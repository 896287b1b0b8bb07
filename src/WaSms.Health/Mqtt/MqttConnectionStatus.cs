namespace WaSms.Health.Mqtt;

/// <summary>
/// The MQTT link as <c>status</c> shows it: written by <see cref="MqttHealthReporter"/>, read by the
/// status report. A separate singleton so the status source and the reporter (which reads the status
/// source) do not depend on each other.
/// </summary>
public sealed class MqttConnectionStatus
{
    private readonly Lock _gate = new();
    private MqttConnectionSnapshot? _current;

    /// <summary>Null while MQTT reporting is off (no <c>Mqtt:Host</c>) or not started yet.</summary>
    public MqttConnectionSnapshot? Current
    {
        get { lock (_gate) { return _current; } }
    }

    internal void Starting(string broker, DateTimeOffset now)
    {
        lock (_gate)
        {
            _current = new MqttConnectionSnapshot(broker, false, now, null, null);
        }
    }

    internal void Connected(DateTimeOffset now) => Update(c => c with { Connected = true, Since = c.Connected ? c.Since : now });

    /// <summary>Not connected because of <paramref name="error"/>; "since" stays at the first failure in a row.</summary>
    internal void Failed(string error, DateTimeOffset now) =>
        Update(c => c with { Connected = false, Since = c.Connected ? now : c.Since, LastError = error, LastErrorAt = now });

    /// <summary>A problem while connected (a refused publish): the link itself stays up.</summary>
    internal void Problem(string error, DateTimeOffset now) => Update(c => c with { LastError = error, LastErrorAt = now });

    private void Update(Func<MqttConnectionSnapshot, MqttConnectionSnapshot> change)
    {
        lock (_gate)
        {
            if (_current is { } current)
            {
                _current = change(current);
            }
        }
    }
}

/// <param name="Broker">host:port, plus " (TLS)".</param>
/// <param name="Connected">True while connected and the birth set was published.</param>
/// <param name="Since">When it last became connected, or not connected.</param>
/// <param name="LastError">The newest failure or refusal, for people (never a secret); kept after a reconnect.</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> happened.</param>
public sealed record MqttConnectionSnapshot(string Broker, bool Connected, DateTimeOffset Since, string? LastError, DateTimeOffset? LastErrorAt);
