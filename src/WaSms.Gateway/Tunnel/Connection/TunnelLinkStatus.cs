namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>Where the tunnel stands, for <c>status</c>, the screen and MQTT.</summary>
public enum TunnelLinkState
{
    NotConfigured,
    NotEnrolled,
    WaitingForClock,
    Connecting,
    Connected,
    Unreachable,
    /// <summary>A terminal error: no reconnecting until a new code, a firmware update or a restart.</summary>
    Stopped,
}

public sealed record TunnelLinkSnapshot(TunnelLinkState State, string Reason, DateTimeOffset Since)
{
    /// <summary>The short name MQTT's <c>tunnel</c> field and <c>status --json</c> carry.</summary>
    public string StateName => State switch
    {
        TunnelLinkState.NotConfigured => "not-configured",
        TunnelLinkState.NotEnrolled => "not-enrolled",
        TunnelLinkState.WaitingForClock => "waiting-for-clock",
        TunnelLinkState.Connecting => "connecting",
        TunnelLinkState.Connected => "connected",
        TunnelLinkState.Unreachable => "unreachable",
        _ => "stopped",
    };

    /// <summary>The line <c>status</c> and the screen show: "platform: unreachable (…)".</summary>
    public string Line => "platform: " + StateName.Replace('-', ' ') + (Reason.Length > 0 ? $" ({Reason})" : "");
}

/// <summary>The tunnel's current <see cref="TunnelLinkSnapshot"/>; one instance per gateway, set only by the tunnel.</summary>
public sealed class TunnelLinkStatus(TimeProvider time)
{
    private TunnelLinkSnapshot _current = new(TunnelLinkState.NotConfigured, "", time.GetUtcNow());

    public TunnelLinkSnapshot Current => Volatile.Read(ref _current);

    public event EventHandler<TunnelLinkSnapshot>? Changed;

    public void Set(TunnelLinkState state, string reason = "")
    {
        var now = Current;
        if (now.State == state && now.Reason == reason)
        {
            return;
        }
        var next = new TunnelLinkSnapshot(state, reason, time.GetUtcNow());
        Volatile.Write(ref _current, next);
        Changed?.Invoke(this, next);
    }
}
